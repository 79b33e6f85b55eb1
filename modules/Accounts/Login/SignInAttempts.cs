using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace MySign.Accounts.Login;

/// <summary>
/// Per-account failed sign-ins. Attempts on one account are serialised by a row lock held while the
/// password is checked (tens of milliseconds), so every failure is counted and the lockout engages exactly
/// at its threshold: of 50 parallel wrong passwords, 5 are checked and 45 refused as locked; parallel right
/// passwords all pass. The lockout lasts from the last failure; a success clears the count.
/// </summary>
public sealed class SignInAttempts(NpgsqlDataSource database)
{
    public static readonly Table Table = CreateTable();

    private static Table CreateTable()
    {
        var table = new Table(new PostgresqlObjectName(AccountsModule.Schema, "sign_in_failures", Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn("holder_id", "text").AsPrimaryKey();
        table.AddColumn("failures", "integer").NotNull();
        table.AddColumn("last_failure", "timestamp with time zone").NotNull();
        return table;
    }

    public async Task<SignInOutcome> AttemptAsync(string holderId, DateTimeOffset now, Sessions.SessionOptions settings,
        Func<bool> passwordMatches, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await Execute(connection, transaction, $"insert into {Name} (holder_id, failures, last_failure) values ($1, 0, $2) on conflict do nothing", cancellation, holderId, now);
        await using var read = new NpgsqlCommand($"select failures, last_failure from {Name} where holder_id = $1 for update", connection, transaction);
        read.Parameters.Add(new NpgsqlParameter { Value = holderId });
        int failures;
        await using (var reader = await read.ExecuteReaderAsync(cancellation))
        {
            await reader.ReadAsync(cancellation);
            failures = reader.GetFieldValue<DateTimeOffset>(1) < now - settings.Lockout ? 0 : reader.GetInt32(0);
        }

        var outcome = failures >= settings.MaxFailedLogins ? SignInOutcome.Locked
            : passwordMatches() ? SignInOutcome.Success : SignInOutcome.Invalid;
        if (outcome == SignInOutcome.Success)
            await Execute(connection, transaction, $"update {Name} set failures = 0 where holder_id = $1", cancellation, holderId);
        else
            await Execute(connection, transaction, $"update {Name} set failures = $2, last_failure = $3 where holder_id = $1", cancellation, holderId, failures + 1, now);
        await transaction.CommitAsync(cancellation);
        return outcome;
    }

    /// <summary>
    /// The password check of every sign-in door (portal, CSC API, RAO console, RAO verification): an unknown account
    /// is checked against the decoy hash (same time, nothing counted); a known one under its lockout.
    /// </summary>
    public Task<SignInOutcome> CheckAsync(string key, string? passwordHash, string password, DateTimeOffset now, Sessions.SessionOptions settings,
        CancellationToken cancellation) =>
        passwordHash is null
            ? Task.FromResult(SignIn.Decide(null, password))
            : AttemptAsync(key, now, settings, () => SignIn.Decide(passwordHash, password) == SignInOutcome.Success, cancellation);

    public async Task ClearAsync(string holderId, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await Execute(connection, null, $"update {Name} set failures = 0 where holder_id = $1", cancellation, holderId);
    }

    public async Task<int> CountAsync(string holderId, CancellationToken cancellation = default)
    {
        await using var command = database.CreateCommand($"select coalesce((select failures from {Name} where holder_id = $1), 0)");
        command.Parameters.Add(new NpgsqlParameter { Value = holderId });
        return (int)(await command.ExecuteScalarAsync(cancellation))!;
    }

    private static readonly string Name = $"{AccountsModule.Schema}.sign_in_failures";

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellation, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
