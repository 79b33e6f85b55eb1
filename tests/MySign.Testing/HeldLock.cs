using Npgsql;

namespace MySign.Testing;

/// <summary>
/// Makes an interleaving certain instead of likely: the test holds a lock the app's requests meet (a document's row, or
/// Otp's per-holder issue lock), from its own connection (not pooled, so nothing stays locked after it), starts the
/// requests that will wait for it, waits until they do, then lets them go in the order they queued.
/// </summary>
public sealed class HeldLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private HeldLock(NpgsqlConnection connection, NpgsqlTransaction transaction) => (_connection, _transaction) = (connection, transaction);

    /// <summary>Holds the row of <paramref name="table"/> (schema-qualified Marten table) whose id is <paramref name="id"/>.</summary>
    public static Task<HeldLock> RowAsync(string connectionString, string table, string id) =>
        HoldAsync(connectionString, $"select 1 from {table} where id = $1 for update", id);

    /// <summary>Holds Otp's lock for the holder's code requests (OtpChallenges.IssueAsync): a step that sends a code waits inside it.</summary>
    public static Task<HeldLock> OtpIssuesAsync(string connectionString, string holderId) =>
        HoldAsync(connectionString, "select pg_advisory_xact_lock(hashtext($1))", "otp.issue:" + holderId);

    private static async Task<HeldLock> HoldAsync(string connectionString, string sql, string value)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var hold = new NpgsqlCommand(sql, connection, transaction) { Parameters = { new() { Value = value } } };
        await hold.ExecuteScalarAsync();
        return new HeldLock(connection, transaction);
    }

    /// <summary>Until this many sessions of the test's database wait for a lock.</summary>
    public async Task WaitersAsync(int count)
    {
        for (var waited = 0; waited < 300; waited++)
        {
            await using var ask = new NpgsqlCommand(
                "select count(*) from pg_locks where not granted and pid in (select pid from pg_stat_activity where datname = current_database())", _connection);
            if ((long)(await ask.ExecuteScalarAsync())! >= count) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Fewer than {count} sessions ever waited for the held lock.");
    }

    /// <summary>Lets the waiting requests go, in the order they queued.</summary>
    public async ValueTask DisposeAsync()
    {
        await _transaction.RollbackAsync();
        await _connection.DisposeAsync();
    }
}
