using Marten;
using Npgsql;

namespace MySign.Kernel.Data;

/// <summary>What a deployment makes once, whatever the number of nodes that start together.</summary>
public static class DeploymentOnce
{
    /// <summary>
    /// The document <paramref name="id"/>, made by <paramref name="make"/> at the first start: a node that loses the race
    /// to insert it reads the winner's.
    /// </summary>
    public static async Task<T> LoadOrMakeAsync<T>(IDocumentStore store, string id, Func<T> make, CancellationToken cancellation) where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            await using (var query = store.QuerySession())
                if (await query.LoadAsync<T>(id, cancellation) is { } stored) return stored;
            try
            {
                await using var session = store.LightweightSession();
                session.Insert(make());
                await session.SaveChangesAsync(cancellation);
            }
            catch (Exception e) when (attempt == 0 && e is JasperFx.DocumentAlreadyExistsException or JasperFx.ConcurrencyException)
            {
                // Another node made it first: read theirs.
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> holding the PostgreSQL advisory lock <paramref name="name"/>, so that nodes starting together
    /// make each thing once: whoever comes second finds it made.
    /// </summary>
    public static async Task<T> LockedAsync<T>(NpgsqlDataSource database, string name, Func<Task<T>> work, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using (var command = new NpgsqlCommand("select pg_advisory_lock(hashtext($1))", connection) { Parameters = { new() { Value = name } } })
            await command.ExecuteNonQueryAsync(cancellation);
        try
        {
            return await work();
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(hashtext($1))", connection) { Parameters = { new() { Value = name } } };
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
