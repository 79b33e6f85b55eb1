using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;

namespace MySign.Tests.Certificates;

/// <summary>
/// The trust services as a strict relying party sees them, judged by openssl: every certificate of every chain has a
/// revocation path and carries the policy, the TSA grants only what it operates, and OCSP is as fresh as it promises.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class StrictValidatorTests(AppFixture app)
{
    private const string Pin = "24681357";
    private const string QualifiedPolicy = "0.4.0.194112.1.2";

    private async Task<(PortalClient Client, TestHolder Holder)> HolderWithCertificate()
    {
        var holder = await Holders.CreateAsync(app.Store, "Elena", "Marino");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Elena", "Marino", "MRNLNE85M41H501Z", Pin));
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        return (client, holder);
    }

    /// <summary>The CA's files and both CRLs (DER as served, then PEM for openssl) in the folder; the signed-in holder's certificate too if asked.</summary>
    private static async Task WriteChainAndCrls(PortalClient client, OpenSsl openssl, bool holder = false)
    {
        if (holder) openssl.Write("holder.pem", (await client.GetAsync("/certificate/download/pem")).Html);
        openssl.Write("root.pem", (await client.GetAsync("/ca/root.pem")).Html);
        openssl.Write("issuing.pem", (await client.GetAsync("/ca/issuing.pem")).Html);
        foreach (var name in new[] { "issuing", "root" })
        {
            openssl.Write($"{name}.crl", await client.Response($"/crl/{name}.crl"));
            (await openssl.RunAsync("crl", "-inform", "DER", "-in", $"{name}.crl", "-out", $"{name}-crl.pem")).Exit.ShouldBe(0, $"/crl/{name}.crl is a DER CRL");
            var (_, verified) = await openssl.RunAsync("crl", "-in", $"{name}-crl.pem", "-CAfile", name == "root" ? "root.pem" : "issuing.pem", "-noout");
            verified.ShouldContain("verify OK", customMessage: $"{name} CRL: {verified}");
        }
    }

    private static Task<(int Exit, string Output)> StrictVerify(OpenSsl openssl, string certificate) =>
        openssl.RunAsync("verify", "-crl_check_all", "-policy", QualifiedPolicy, "-explicit_policy", "-CAfile", "root.pem", "-untrusted", "issuing.pem",
            "-CRLfile", "issuing-crl.pem", "-CRLfile", "root-crl.pem", certificate);

    [Fact]
    public async Task a_holder_certificate_passes_openssl_verify_with_every_crl_and_the_qualified_policy_explicit()
    {
        var (client, _) = await HolderWithCertificate();
        using var _c = client;
        using var openssl = new OpenSsl();
        await WriteChainAndCrls(client, openssl, holder: true);

        var (exit, output) = await StrictVerify(openssl, "holder.pem");
        output.ShouldContain("holder.pem: OK", customMessage: output);
        exit.ShouldBe(0);

        var issuing = (await openssl.RunAsync("x509", "-in", "issuing.pem", "-noout", "-text")).Output;
        issuing.ShouldContain(QualifiedPolicy);
        issuing.ShouldContain("1.3.6.1.4.1.61999.1.1.1", customMessage: "MySign's own policy");
        issuing.ShouldContain("http://localhost/crl/root.crl");
        issuing.ShouldContain("CA Issuers - URI:http://localhost/ca/root.cer");
        (await client.Response("/ca/root.cer")).ShouldBe(X509Certificate2.CreateFromPem((await client.GetAsync("/ca/root.pem")).Html).RawData);
    }

    [Fact]
    public async Task the_demo_holders_certificate_starts_no_earlier_than_its_ca()
    {
        await using var session = app.Store.QuerySession();
        var demo = await session.LoadAsync<HolderCertificate>(Dev.Demo.HolderUserId);
        using var certificate = X509CertificateLoader.LoadCertificate(demo!.Der);
        using var client = app.Client();
        using var issuing = X509Certificate2.CreateFromPem((await client.GetAsync("/ca/issuing.pem")).Html);
        certificate.NotBefore.ShouldBeGreaterThanOrEqualTo(issuing.NotBefore);
        certificate.NotAfter.ShouldBeLessThanOrEqualTo(issuing.NotAfter);
        (certificate.NotAfter - DateTime.Now).TotalDays.ShouldBeInRange(55, 62, "the demo still shows the renewal window open");
    }

    [Fact]
    public async Task the_tsa_refuses_a_policy_it_does_not_operate_and_md5_or_sha1_imprints()
    {
        using var client = app.Client();
        using var openssl = new OpenSsl();
        openssl.Write("contract.txt", "Contratto di fornitura, versione finale.\n");
        foreach (var (name, arguments, refusal) in new[]
        {
            ("etsi-policy", new[] { "-sha256", "-tspolicy", "0.4.0.2023.1.1" }, "policy is not supported"),
            ("other-policy", new[] { "-sha256", "-tspolicy", "1.2.3.4" }, "policy is not supported"),
            ("md5", new[] { "-md5" }, "unsupported algorithm"),
            ("sha1", new[] { "-sha1" }, "unsupported algorithm"),
        })
        {
            (await openssl.RunAsync(["ts", "-query", "-data", "contract.txt", .. arguments, "-cert", "-out", $"{name}.tsq"])).Exit.ShouldBe(0);
            openssl.Write($"{name}.tsr", await PostAsync(client, "/tsa", "application/timestamp-query", await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, $"{name}.tsq"))));
            var (_, reply) = await openssl.RunAsync("ts", "-reply", "-in", $"{name}.tsr", "-text");
            reply.ShouldContain("Status: Rejected", customMessage: $"{name}: {reply}");
            reply.ShouldContain(refusal, Case.Insensitive, $"{name}: {reply}");
        }
    }

    [Fact]
    public async Task a_time_stamp_is_qualified_to_the_millisecond_and_its_tsa_certificate_has_a_revocation_path_that_answers_good()
    {
        using var client = app.Client();
        using var openssl = new OpenSsl();
        await WriteChainAndCrls(client, openssl);
        openssl.Write("contract.txt", "Contratto di fornitura, versione finale.\n");
        (await openssl.RunAsync("ts", "-query", "-data", "contract.txt", "-sha256", "-tspolicy", "1.3.6.1.4.1.61999.1.2.1", "-cert", "-out", "q.tsq")).Exit.ShouldBe(0);
        openssl.Write("r.tsr", await PostAsync(client, "/tsa", "application/timestamp-query", await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "q.tsq"))));
        var (_, reply) = await openssl.RunAsync("ts", "-reply", "-in", "r.tsr", "-text");
        reply.ShouldContain("Status: Granted.", customMessage: reply);
        reply.ShouldContain("Policy OID: 1.3.6.1.4.1.61999.1.2.1");
        reply.ShouldMatch(@"Time stamp: .*\d\d:\d\d:\d\d\.\d{1,3} \d{4} GMT", "genTime carries milliseconds: " + reply);
        reply.ShouldContain("Accuracy: 0x01 seconds");
        // EN 319 422 §9.1: qcStatements with esi4-qtstStatement-1 among the token's extensions.
        reply.ShouldContain("qcStatements", customMessage: reply);
        (await openssl.RunAsync("ts", "-reply", "-in", "r.tsr", "-token_out", "-out", "token.der")).Exit.ShouldBe(0);
        System.Security.Cryptography.Pkcs.Rfc3161TimestampToken.TryDecode(await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "token.der")), out var token, out _)
            .ShouldBeTrue();
        var qc = token!.TokenInfo.GetExtensions().Single(e => e.Oid!.Value == "1.3.6.1.5.5.7.1.3");
        qc.Critical.ShouldBeFalse();
        var statements = new System.Formats.Asn1.AsnReader(qc.RawData, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        statements.ReadSequence().ReadObjectIdentifier().ShouldBe("0.4.0.19422.1.1");
        statements.HasData.ShouldBeFalse();
        (await openssl.RunAsync("ts", "-verify", "-queryfile", "q.tsq", "-in", "r.tsr", "-CAfile", "root.pem", "-untrusted", "issuing.pem")).Output.ShouldContain("Verification: OK");

        (await openssl.RunAsync("pkcs7", "-inform", "DER", "-in", "token.der", "-print_certs", "-out", "tsa.pem")).Exit.ShouldBe(0);
        var tsa = (await openssl.RunAsync("x509", "-in", "tsa.pem", "-noout", "-text")).Output;
        tsa.ShouldContain("http://localhost/crl/issuing.crl");
        tsa.ShouldContain("OCSP - URI:http://localhost/ocsp");
        tsa.ShouldContain("CA Issuers - URI:http://localhost/ca/issuing.cer");
        var (verifyExit, verified) = await openssl.RunAsync("verify", "-crl_check_all", "-purpose", "timestampsign", "-CAfile", "root.pem", "-untrusted", "issuing.pem",
            "-CRLfile", "issuing-crl.pem", "-CRLfile", "root-crl.pem", "tsa.pem");
        verified.ShouldContain("tsa.pem: OK", customMessage: verified);
        verifyExit.ShouldBe(0);

        (await openssl.RunAsync("ocsp", "-issuer", "issuing.pem", "-cert", "tsa.pem", "-reqout", "ocsp-req.der")).Exit.ShouldBe(0);
        openssl.Write("ocsp-resp.der", await PostAsync(client, "/ocsp", "application/ocsp-request", await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "ocsp-req.der"))));
        var (_, signature) = await openssl.RunAsync("ocsp", "-respin", "ocsp-resp.der", "-reqin", "ocsp-req.der", "-CAfile", "root.pem", "-verify_other", "issuing.pem");
        signature.ShouldContain("Response verify OK", customMessage: signature);
        var (_, status) = await openssl.RunAsync("ocsp", "-respin", "ocsp-resp.der", "-issuer", "issuing.pem", "-cert", "tsa.pem", "-no_nonce",
            "-CAfile", "root.pem", "-verify_other", "issuing.pem");
        status.ShouldContain("tsa.pem: good", customMessage: status);
    }

    [Fact]
    public async Task an_ocsp_answer_by_get_says_suspended_at_once_and_no_cache_may_keep_the_earlier_one()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        using var openssl = new OpenSsl();
        await WriteChainAndCrls(client, openssl, holder: true);
        (await openssl.RunAsync("ocsp", "-issuer", "issuing.pem", "-cert", "holder.pem", "-no_nonce", "-reqout", "req.der")).Exit.ShouldBe(0);
        var get = "/ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "req.der"))));

        async Task<string> AskByGet(string name)
        {
            var answer = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, get));
            answer.Status.ShouldBe(HttpStatusCode.OK);
            var cache = answer.Response.Headers.CacheControl!;
            cache.NoStore.ShouldBeTrue($"{name}: Cache-Control {cache}");
            (cache.MaxAge ?? TimeSpan.Zero).ShouldBe(TimeSpan.Zero);
            openssl.Write(name, await answer.Response.Content.ReadAsByteArrayAsync());
            return (await openssl.RunAsync("ocsp", "-respin", name, "-issuer", "issuing.pem", "-cert", "holder.pem", "-CAfile", "root.pem", "-verify_other", "issuing.pem")).Output;
        }

        (await AskByGet("before.der")).ShouldContain("holder.pem: good");
        await app.ChangeStatusAsync(client, holder, "suspend",
            new() { ["reason"] = "lostDevice", ["pin"] = Pin, ["until"] = DateTime.UtcNow.AddDays(10).ToString("dd/MM/yyyy") });
        var after = await AskByGet("after.der");
        after.ShouldContain("holder.pem: revoked", customMessage: after);
        after.ShouldContain("certificateHold");
    }

    private static async Task<byte[]> PostAsync(PortalClient client, string path, string contentType, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new(contentType);
        var answer = await client.SendAsync(request);
        answer.Status.ShouldBe(HttpStatusCode.OK, $"{(int)answer.Status} {answer.Text}");
        return await answer.Response.Content.ReadAsByteArrayAsync();
    }
}
