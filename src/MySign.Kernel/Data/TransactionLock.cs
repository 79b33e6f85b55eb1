using System.Data.Common;
using Weasel.Core;
using IStorageOperation = Marten.Internal.Operations.IStorageOperation;
using IStorageSession = Weasel.Storage.IStorageSession;

namespace MySign.Kernel.Data;

/// <summary>
/// A lock held to the end of the session's transaction (<c>pg_advisory_xact_lock</c> on the key's hash), queued in Marten's
/// unit of work before the operations it guards (<c>session.QueueOperation</c>), so whoever does the same for the same key
/// waits for this commit and then sees what it wrote. Its own storage operation, not <c>QueueSqlCommand</c>: Marten skips the
/// result set of a queued SQL command, so a SELECT there would shift the results every later operation of the batch reads.
/// </summary>
public sealed class TransactionLock(string key) : IStorageOperation
{
    public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, IStorageSession session)
    {
        builder.Append("select pg_advisory_xact_lock(hashtext(");
        builder.AppendParameter(key);
        builder.Append("))");
    }

    public Type DocumentType => typeof(Marten.Storage.StorageFeatures);

    public Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

    public OperationRole Role() => OperationRole.Other;
}
