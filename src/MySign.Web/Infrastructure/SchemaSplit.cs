using JasperFx.Resources;
using Marten;
using Npgsql;

namespace MySign.Web.Infrastructure;

/// <summary>
/// A release migration that moves a new module's documents out of the schema of the module it was cut from (docs/adr/0020,
/// 0021). Idempotent: a database with nothing left to move is left as it is, and a row found in both schemas stops it with
/// nothing moved. It runs in one transaction under an advisory lock (two nodes starting together: the second waits, then finds
/// nothing left), by `resources setup` (fly.toml's release command) and, where the schema is applied at start, before the
/// module's documents are first read. The host runs it because it touches two modules' schemas; no module reads the other's.
/// </summary>
public abstract class SchemaSplit(string name, IDocumentStore store, NpgsqlDataSource database, ILogger logger)
    : StatefulResourceBase("Migration", name, new Uri($"mysign://migrations/{name}"), new Uri($"mysign://migrations/{name}"))
{
    private readonly string _migration = name;

    /// <summary>The statements of the move, run in the migration's transaction after the configured schema is applied.</summary>
    protected abstract string Move { get; }

    public override Task Setup(CancellationToken token) => ApplyAsync(token);

    public async Task ApplyAsync(CancellationToken cancellation)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await using (var lockCommand = new NpgsqlCommand($"select pg_advisory_xact_lock(hashtext('mysign.migrations.{_migration}'))", connection, transaction))
            await lockCommand.ExecuteNonQueryAsync(cancellation);
        await using (var command = new NpgsqlCommand(Move, connection, transaction))
            await command.ExecuteNonQueryAsync(cancellation);
        await transaction.CommitAsync(cancellation);
        logger.LogInformation("Release migration {Migration} applied", _migration);
    }

    /// <summary>
    /// PL/pgSQL that moves each of <paramref name="tables"/> (Marten document tables) from <paramref name="from"/> to
    /// <paramref name="to"/> and drops the old one; a row in both would be two truths, so it raises instead of picking one.
    /// </summary>
    protected static string MoveTables(string from, string to, IEnumerable<string> tables) => $"""
          foreach moved in array array[{string.Join(", ", tables.Select(t => $"'{t}'"))}] loop
            if to_regclass('{from}.' || moved) is not null then
              execute format('select exists (select 1 from {to}.%I t join {from}.%I c using (id))', moved, moved) into clash;
              if clash then
                raise exception 'Release migration: % has rows in both the {from} and the {to} schema; nothing was moved', moved;
              end if;
              execute format('insert into {to}.%I (id, data, mt_last_modified, mt_version, mt_dotnet_type) '
                || 'select id, data, mt_last_modified, mt_version, mt_dotnet_type from {from}.%I', moved, moved);
              execute format('drop table {from}.%I', moved);
            end if;
          end loop;
        """;
}

/// <summary>Where the schema is applied at start (Development, tests), a split's migration runs first, before its module's documents are read.</summary>
public sealed class SchemaSplitOnStart<T>(T migration) : IHostedService where T : SchemaSplit
{
    public Task StartAsync(CancellationToken cancellationToken) => migration.ApplyAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// The release migration of the RemoteSigning split (docs/adr/0021): the CSC API's tokens and OTP challenges, the OAuth
/// clients, requests and codes, and the signatures kept for download move from the Certificates schema to RemoteSigning's.
/// The SAD grants stay where they are: they are the signature activation module's, in Certificates.
/// </summary>
public sealed class RemoteSigningSplit(IDocumentStore store, NpgsqlDataSource database, ILogger<RemoteSigningSplit> logger)
    : SchemaSplit("remotesigning-split", store, database, logger)
{
    protected override string Move => $"""
        do $$
        declare moved text;
        declare clash boolean;
        begin
        {MoveTables(Certificates.CertificatesModule.Schema, RemoteSigning.RemoteSigningModule.Schema, RemoteSigning.RemoteSigningModule.MovedTables)}
        end $$;
        """;
}
