using Npgsql;
using Org.BouncyCastle.Tsp;

namespace MySign.Tests.Foundation;

/// <summary>
/// The release migration of the TrustServices split (docs/adr/0020), on a Production deployment made before it: the CA's
/// documents, the TSA's serials and the CA's label prefix sit in the certificates schema, and the responder knows a holder
/// certificate only from Certificates' own document. After `resources setup`, relying parties get the same answers.
/// </summary>
public sealed class TrustServicesSplitTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();

    public Task InitializeAsync() => _smtp.StartAsync();
    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    private const string Held = "0A1B2C3D4E5F", Revoked = "0B1B2C3D4E5F";

    [Fact]
    public async Task a_deployment_from_before_the_split_keeps_its_ca_its_crl_its_answers_and_its_serials()
    {
        await using var app = new AppProcess();
        await app.StartAsync(_smtp, ProductionStartTests.Production(hosted: true), releaseStep: true);
        using var web = new HttpClient { BaseAddress = app.BaseAddress };
        using var openssl = new OpenSsl();
        openssl.Write("issuing.pem", await web.GetStringAsync("/ca/issuing.pem"));
        openssl.Write("root.pem", await web.GetStringAsync("/ca/root.pem"));
        var serialBefore = await TimeStampSerialAsync(web);
        var crlBefore = await web.GetByteArrayAsync("/crl/issuing.crl");
        await app.KillAsync();

        // The layout of the release before: what the CA made is in Certificates' schema, and a holder's certificate is known
        // to the responder only as Certificates' document.
        string prefix;
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            prefix = (string)(await connection.ScalarAsync("select data->>'Prefix' from trustservices.mt_doc_cadeployment"))!;
            await connection.ExecuteAsync($"""
                insert into trustservices.mt_doc_revocationentry (id, data, mt_dotnet_type) values ('{Revoked}',
                  jsonb_build_object('Id', '{Revoked}', 'CertificateId', gen_random_uuid(), 'RevokedAt', '2026-11-01T10:00:00+00:00', 'Reason', 1), 'x');
                alter table trustservices.mt_doc_authoritykey set schema certificates;
                alter table trustservices.mt_doc_servicecertificate set schema certificates;
                alter table trustservices.mt_doc_revocationentry set schema certificates;
                alter table trustservices.mt_doc_crldocument set schema certificates;
                alter sequence trustservices.tsa_serial set schema certificates;
                insert into certificates.mt_doc_custodydeployment (id, data, mt_dotnet_type)
                  values ('deployment', jsonb_build_object('Id', 'deployment', 'Prefix', '{prefix}', 'CreatedAt', now()), 'x')
                  on conflict (id) do update set data = excluded.data;
                drop table trustservices.mt_doc_cadeployment;
                drop table trustservices.mt_doc_issuedcertificate;
                insert into certificates.mt_doc_holdercertificate (id, data, mt_dotnet_type) values ('H0000001',
                  jsonb_build_object('Id', 'H0000001', 'SerialNumber', '{Held}', 'CertificateId', gen_random_uuid(), 'ExpiresAt', '2029-01-01T00:00:00+00:00'), 'x');
                """);
        }

        var (exit, output) = await app.RunAsync("resources", "setup");
        exit.ShouldBe(0, output);
        (await app.RunAsync("resources", "setup")).Exit.ShouldBe(0, "the migration runs again and finds nothing to move");
        await app.RestartAsync();

        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            (await connection.ScalarAsync("select count(*) from information_schema.tables where table_schema = 'certificates' and table_name in " +
                                      "('mt_doc_authoritykey', 'mt_doc_servicecertificate', 'mt_doc_revocationentry', 'mt_doc_crldocument')")).ShouldBe(0L);
            (await connection.ScalarAsync("select data->>'Prefix' from trustservices.mt_doc_cadeployment")).ShouldBe(prefix, "the CA's keys keep the labels they were made under");
        }
        // The same CA: its certificate and CRL as before, and it still signs (its keys were found under their labels).
        (await web.GetStringAsync("/ca/issuing.pem")).ShouldBe(await File.ReadAllTextAsync(Path.Combine(openssl.Folder, "issuing.pem")));
        (await web.GetByteArrayAsync("/crl/issuing.crl")).ShouldBe(crlBefore);
        (await TimeStampSerialAsync(web)).ShouldBeGreaterThan(serialBefore, "no time-stamp serial is handed out twice");
        (await AskOcspAsync(openssl, app.BaseAddress, Held)).ShouldContain($"0x{Held}: good");
        (await AskOcspAsync(openssl, app.BaseAddress, Revoked)).ShouldContain($"0x{Revoked}: revoked");
        (await AskOcspAsync(openssl, app.BaseAddress, "0C1B2C3D4E5F")).ShouldContain("0x0C1B2C3D4E5F: unknown");
    }

    private static async Task<long> TimeStampSerialAsync(HttpClient web)
    {
        var request = new TimeStampRequestGenerator().Generate(TspAlgorithms.Sha256, new byte[32]);
        var answer = await web.PostAsync("/tsa", new ByteArrayContent(request.GetEncoded()) { Headers = { ContentType = new("application/timestamp-query") } });
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        var response = new TimeStampResponse(await answer.Content.ReadAsByteArrayAsync());
        response.Validate(request);
        return response.TimeStampToken.TimeStampInfo.SerialNumber.LongValue;
    }

    /// <summary>openssl asks the responder over HTTP, checks its signature up to the root, and says what it answered.</summary>
    private static async Task<string> AskOcspAsync(OpenSsl openssl, Uri portal, string serial)
    {
        var (exit, output) = await openssl.RunAsync("ocsp", "-issuer", "issuing.pem", "-serial", "0x" + serial, "-url", new Uri(portal, "/ocsp").ToString(),
            "-CAfile", "root.pem", "-verify_other", "issuing.pem");
        exit.ShouldBe(0, output);
        output.ShouldContain("Response verify OK");
        return output;
    }
}
