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
    : SchemaSplit("trustservices-split", store, database, logger)
{
    private static readonly string[] MovedTables = ["mt_doc_authoritykey", "mt_doc_servicecertificate", "mt_doc_revocationentry", "mt_doc_crldocument"];

    protected override string Move => $"""
        do $$
        declare moved text;
        declare clash boolean;
        begin
        {MoveTables(Certificates.CertificatesModule.Schema, TrustServices.TrustServicesModule.Schema, MovedTables)}
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
}
