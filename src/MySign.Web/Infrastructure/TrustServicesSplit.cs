using JasperFx.Resources;
using Marten;
using Npgsql;

namespace MySign.Web.Infrastructure;

/// <summary>
/// The release migration of the TrustServices split (docs/adr/0020): the CA's documents (its keys' certificates and labels, its
/// service certificates, the revocation entries, the CRLs), the TSA's serial sequence and the CA's label prefix move from the
/// Certificates schema to TrustServices', and every holder certificate issued before the split is recorded as the CA's, so its
/// OCSP responder keeps answering "good" for it. Idempotent: a database that has nothing left to move is left as it is, and a
/// row found in both schemas stops it with nothing moved. Run by
/// `resources setup` (fly.toml's release command) and, where the schema is applied at start, before the CA is first read.
/// The host runs it because it touches two modules' schemas; no module reads the other's tables.
/// </summary>
public sealed class TrustServicesSplit(IDocumentStore store, NpgsqlDataSource database, ILogger<TrustServicesSplit> logger)
    : StatefulResourceBase("Migration", "trustservices-split", new Uri("mysign://migrations/trustservices-split"), new Uri("mysign://migrations/trustservices-split"))
{
    private const string Move = """
        do $$
        declare moved text;
        declare clash boolean;
        begin
          foreach moved in array array['mt_doc_authoritykey', 'mt_doc_servicecertificate', 'mt_doc_revocationentry', 'mt_doc_crldocument'] loop
            if to_regclass('certificates.' || moved) is not null then
              -- A row in both schemas would be two truths (two CRL numbers, a hold against a revocation): stop, never pick one silently.
              execute format('select exists (select 1 from trustservices.%I t join certificates.%I c using (id))', moved, moved) into clash;
              if clash then
                raise exception 'TrustServices split: % has rows in both the certificates and the trustservices schema; nothing was moved (docs/adr/0020)', moved;
              end if;
              execute format('insert into trustservices.%I (id, data, mt_last_modified, mt_version, mt_dotnet_type) '
                || 'select id, data, mt_last_modified, mt_version, mt_dotnet_type from certificates.%I', moved, moved);
              execute format('drop table certificates.%I', moved);
            end if;
          end loop;
          if to_regclass('certificates.mt_doc_custodydeployment') is not null then
            insert into trustservices.mt_doc_cadeployment (id, data, mt_last_modified, mt_version, mt_dotnet_type)
              select id, data, mt_last_modified, mt_version, 'MySign.TrustServices.Keys.CaDeployment' from certificates.mt_doc_custodydeployment
              on conflict (id) do nothing;
          end if;
          if to_regclass('certificates.mt_doc_holdercertificate') is not null then
            insert into trustservices.mt_doc_issuedcertificate (id, data, mt_last_modified, mt_version, mt_dotnet_type)
              select h.data->>'SerialNumber',
                     jsonb_build_object('Id', h.data->>'SerialNumber', 'CertificateId', h.data->'CertificateId', 'HolderId', h.id, 'NotAfter', h.data->'ExpiresAt'),
                     now(), h.mt_version, 'MySign.TrustServices.Domain.IssuedCertificate'
              from certificates.mt_doc_holdercertificate h where coalesce(h.data->>'SerialNumber', '') <> ''
              on conflict (id) do nothing;
          end if;
          if to_regclass('certificates.tsa_serial') is not null then
            -- No serial number is handed out twice: renaming takes the sequence's exclusive lock, so a node of the release before
            -- draws no number between the read and the drop; the new sequence goes on from the higher of the two.
            alter sequence certificates.tsa_serial rename to tsa_serial_moving;
            perform setval('trustservices.tsa_serial', greatest((select last_value from certificates.tsa_serial_moving), (select last_value from trustservices.tsa_serial)));
            drop sequence certificates.tsa_serial_moving;
          end if;
        end $$;
        """;

    public override Task Setup(CancellationToken token) => ApplyAsync(token);

    public async Task ApplyAsync(CancellationToken cancellation)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        // Two nodes starting together: the second waits, then finds nothing left to move.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext('mysign.migrations.trustservices-split'))", connection, transaction))
            await lockCommand.ExecuteNonQueryAsync(cancellation);
        await using (var command = new NpgsqlCommand(Move, connection, transaction))
            await command.ExecuteNonQueryAsync(cancellation);
        await transaction.CommitAsync(cancellation);
        logger.LogInformation("TrustServices split: the CA's documents are in the {Schema} schema", TrustServices.TrustServicesModule.Schema);
    }
}

/// <summary>Where the schema is applied at start (Development, tests), the split's migration runs first, before the CA is read.</summary>
public sealed class TrustServicesSplitOnStart(TrustServicesSplit migration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migration.ApplyAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
