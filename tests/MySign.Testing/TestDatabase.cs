using Npgsql;

namespace MySign.Testing;

/// <summary>
/// A fresh, empty database on the private PostgreSQL for one test run (or one app process), dropped at
/// the end. Runs in parallel with any other: each gets its own name.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _admin;
    public string Name { get; }
    public string ConnectionString { get; }

    private TestDatabase(string admin, string name, string connectionString)
    {
        _admin = admin; Name = name; ConnectionString = connectionString;
    }

    /// <summary>The server `make test` started (ConnectionStrings__Postgres), or the default private one.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? "Host=127.0.0.1;Port=55432;Database=mysign;Username=mysign";

    /// <param name="server">another server than the suite's (a test's own <see cref="PrivatePostgres"/>).</param>
    public static async Task<TestDatabase> CreateAsync(string prefix = "mysign_test", string? server = null)
    {
        var serverBuilder = new NpgsqlConnectionStringBuilder(server ?? ServerConnectionString);
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        var admin = new NpgsqlConnectionStringBuilder(serverBuilder.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var own = new NpgsqlConnectionStringBuilder(serverBuilder.ConnectionString) { Database = name, MaxPoolSize = 40 }.ConnectionString;
        return new TestDatabase(admin, name, own);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
