using Marten;

namespace MySign.Kernel.Data;

/// <summary>
/// A single-use document (a mailed link's token) spent in the session's transaction before anything is done on it. Two
/// requests that read it unused at once (a double click, two tabs) both go on to spend it: the second waits for the first
/// to commit, then finds nothing to spend. Only for last steps that spend no one-time code (a code already lets one request
/// through). The spend commits with the caller's other writes, or alone.
/// </summary>
public static class SingleUse
{
    /// <summary>Sets the document's <c>Used</c> where it is not set yet; false when another request spent it first.</summary>
    public static Task<bool> SpendAsync<T>(IDocumentSession session, string id, CancellationToken cancellation)
    {
        var spend = $"update {TableOf<T>(session)} set data = jsonb_set(data, '{{Used}}', 'true'::jsonb), mt_version = gen_random_uuid(), " +
                    "mt_last_modified = transaction_timestamp() where id = $1 and data->'Used' is distinct from 'true'::jsonb";
        return RunAsync(session, spend, id, cancellation);
    }

    /// <summary>Deletes a document whose deletion is its use; false when another request took it first.</summary>
    public static Task<bool> TakeAsync<T>(IDocumentSession session, string id, CancellationToken cancellation) =>
        RunAsync(session, $"delete from {TableOf<T>(session)} where id = $1", id, cancellation);

    private static string TableOf<T>(IDocumentSession session) => session.DocumentStore.Options.FindOrResolveDocumentType(typeof(T)).TableName.QualifiedName;

    /// <summary>
    /// The statement now, in the session's transaction, and again with the session's commit (it then changes nothing): Marten
    /// commits a session only when something is queued, so a spend is never rolled back for want of other writes.
    /// </summary>
    private static async Task<bool> RunAsync(IDocumentSession session, string statement, string id, CancellationToken cancellation)
    {
        await session.BeginTransactionAsync(cancellation);
        await using var command = Sql.Command(session.Connection!, null, statement + " returning id", id);
        var spent = await command.ExecuteScalarAsync(cancellation) is not null;
        if (spent) session.QueueSqlCommand(statement.Replace("$1", "?", StringComparison.Ordinal), id);
        return spent;
    }
}
