using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace MySign.Kernel.Security;

public enum AttemptOutcome { Success, Invalid, Locked }

/// <summary>
/// Failed attempts per key (an account, a holder's door) in a table of the owning module. Attempts on one key are
/// serialised by a row lock held while the secret is checked, so every failure is counted and the lock engages
/// exactly at its threshold (of 50 parallel wrong passwords 5 are counted, 45 refused as locked). A lock lasts
/// <c>lockout</c> from the failure that caused it: refused attempts while it holds neither count nor extend it, so
/// nobody can keep a victim out for ever. A success clears the count. Every outcome costs one check of the secret
/// and one round trip, locked or not, known key or not: the time taken tells nothing.
/// </summary>
public sealed class Lockout(NpgsqlDataSource database, string schema, string name)
{
    private readonly string _table = $"{schema}.{name}";

    public static Table Define(string schema, string name)
    {
        var table = new Table(new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("holder_id", "text").AsPrimaryKey();
        table.AddColumn("failures", "integer").NotNull();
        table.AddColumn("last_failure", "timestamp with time zone").NotNull();
        return table;
    }

    /// <summary>One attempt on <paramref name="key"/>; <paramref name="check"/> is run in every case (its answer ignored while locked).</summary>
    public async Task<AttemptOutcome> AttemptAsync(string key, DateTimeOffset now, int maxFailures, TimeSpan lockout, Func<bool> check,
        CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await Execute(connection, transaction, $"insert into {_table} (holder_id, failures, last_failure) values ($1, 0, $2) on conflict do nothing", cancellation, key, now);
        await using var read = new NpgsqlCommand($"select failures, last_failure from {_table} where holder_id = $1 for update", connection, transaction);
        read.Parameters.Add(new NpgsqlParameter { Value = key });
        int failures;
        await using (var reader = await read.ExecuteReaderAsync(cancellation))
        {
            await reader.ReadAsync(cancellation);
            failures = reader.GetFieldValue<DateTimeOffset>(1) <= now - lockout ? 0 : reader.GetInt32(0);
        }

        var matches = check();
        var outcome = failures >= maxFailures ? AttemptOutcome.Locked : matches ? AttemptOutcome.Success : AttemptOutcome.Invalid;
        if (outcome == AttemptOutcome.Success)
            await Execute(connection, transaction, $"update {_table} set failures = 0 where holder_id = $1", cancellation, key);
        else if (outcome == AttemptOutcome.Invalid)
            await Execute(connection, transaction, $"update {_table} set failures = $2, last_failure = $3 where holder_id = $1", cancellation, key, failures + 1, now);
        await transaction.CommitAsync(cancellation);
        return outcome;
    }

    /// <summary>For a key that has no account: the same check and the same kind of round trip, nothing written.</summary>
    public async Task<AttemptOutcome> DecoyAsync(Func<bool> check, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using (var read = new NpgsqlCommand($"select failures from {_table} where holder_id = $1 for update", connection, transaction))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = "" });
            await read.ExecuteScalarAsync(cancellation);
        }
        check();
        await transaction.CommitAsync(cancellation);
        return AttemptOutcome.Invalid;
    }

    public async Task ClearAsync(string key, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await Execute(connection, null, $"update {_table} set failures = 0 where holder_id = $1", cancellation, key);
    }

    public async Task<int> CountAsync(string key, CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand($"select coalesce((select failures from {_table} where holder_id = $1), 0)");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return (int)(await command.ExecuteScalarAsync(cancellation))!;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellation, params object[] values)
    {
        await using var command = Data.Sql.Command(connection, transaction, sql, values);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
