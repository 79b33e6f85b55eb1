using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Marten;
using MySign.TrustServices.Authority;
using MySign.TrustServices.Domain;
using MySign.TrustServices.Keys;

namespace MySign.Tests.Certificates;

/// <summary>
/// Where the CA's keys are, as an auditor checks it from outside with OpenSC's pkcs11-tool: the issuing CA's, the OCSP
/// responder's and the TSA's private keys in the online token, made there and never extractable; the root's only in its own
/// token; the database keeps certificates and labels.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class KeyCustodyTests(AppFixture app)
{
    private async Task<string> PrefixAsync()
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<CaDeployment>(CaDeployment.Key))!.Prefix;
    }

    /// <summary>The OCSP responder and the TSA sign once, so their keys exist (each is made at first use).</summary>
    private async Task UseOcspAndTsaAsync()
    {
        using var client = app.Client();
        using var openssl = new OpenSsl();
        (await client.GetAsync("/health/ready")).Status.ShouldBe(HttpStatusCode.OK);
        openssl.Write("file.txt", "a document");
        (await openssl.RunAsync("ts", "-query", "-data", "file.txt", "-sha256", "-cert", "-out", "q.tsq")).Exit.ShouldBe(0);
        using var tsa = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        var answer = await tsa.PostAsync("/tsa", new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "q.tsq")))
            { Headers = { ContentType = new("application/timestamp-query") } });
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        openssl.Write("issuing.pem", (await client.GetAsync("/ca/issuing.pem")).Html);
        (await openssl.RunAsync("ocsp", "-issuer", "issuing.pem", "-serial", "0x1234", "-no_nonce", "-reqout", "req.der")).Exit.ShouldBe(0);
        var ocsp = await tsa.PostAsync("/ocsp", new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "req.der")))
            { Headers = { ContentType = new("application/ocsp-request") } });
        ocsp.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var session = app.Store.QuerySession();
        foreach (var id in new[] { ServiceSigner.Ocsp.Id, ServiceSigner.TimeStamping.Id })
            (await session.LoadAsync<AuthorityKey>(id)).ShouldNotBeNull($"the {id} signer was made");
    }

    [Fact]
    public async Task pkcs11_tool_finds_the_issuing_ocsp_and_tsa_keys_sensitive_and_never_extractable_and_no_root_key_online()
    {
        await UseOcspAndTsaAsync();
        var prefix = await PrefixAsync();
        List<AuthorityKey> stored;
        await using (var session = app.Store.QuerySession()) stored = (await session.Query<AuthorityKey>().ToListAsync()).ToList();

        var online = Tokens.Objects(await Tokens.ListObjectsAsync(Tokens.Online)).Where(o => o.Contains(prefix)).ToList();
        foreach (var id in new[] { AuthorityKey.Issuing, ServiceSigner.Ocsp.Id, ServiceSigner.TimeStamping.Id })
        {
            var label = stored.Single(a => a.Id == id).KeyLabel.ShouldNotBeNull(id);
            label.ShouldStartWith(prefix);
            var key = online.Where(o => o.StartsWith("Private Key Object; EC", StringComparison.Ordinal) && o.Contains($"label:      {label}\n")).ShouldHaveSingleItem(id);
            key.ShouldContain("Access:     sensitive, always sensitive, never extractable", customMessage: $"{id}: {key}");
            key.ShouldContain("Usage:      sign", customMessage: id);
            key.ShouldNotContain("decrypt", customMessage: id);
        }
        online.ShouldNotContain(o => o.Contains(CaCeremony.RootKey), "the root's key is never in the online token");
        stored.Single(a => a.Id == AuthorityKey.Root).KeyLabel.ShouldBeNull("the portal does not know where the root's key is");
        stored.ShouldAllBe(a => a.ProtectedKey == null);

        var root = Tokens.Objects(await Tokens.ListObjectsAsync(Tokens.Root)).Where(o => o.Contains(prefix)).ToList();
        root.Where(o => o.StartsWith("Private Key Object; EC", StringComparison.Ordinal)).ShouldHaveSingleItem()
            .ShouldContain("Access:     sensitive, always sensitive, never extractable");
    }

    [Fact]
    public async Task the_root_certificate_and_the_root_crl_are_the_ceremony_s_and_the_crl_verifies_under_the_root()
    {
        using var client = app.Client();
        using var openssl = new OpenSsl();
        openssl.Write("root.pem", (await client.GetAsync("/ca/root.pem")).Html);
        openssl.Write("root.crl", await client.Response("/crl/root.crl"));
        var (exit, text) = await openssl.RunAsync("crl", "-inform", "DER", "-in", "root.crl", "-CAfile", "root.pem", "-noout", "-text");
        exit.ShouldBe(0, text);
        text.ShouldContain("verify OK");
        // Signed for a year by the ceremony, not daily by the portal (which holds no key of the root's to sign with).
        await using var session = app.Store.QuerySession();
        var crl = (await session.LoadAsync<CrlDocument>(CrlDocument.Root))!;
        (crl.NextUpdate - crl.ThisUpdate).ShouldBe(CaCeremony.RootCrlLifetime);
        using var rootKey = X509CertificateLoader.LoadCertificate(
            (await session.LoadAsync<AuthorityKey>(AuthorityKey.Root))!.CertificateDer).GetECDsaPublicKey()!;
        rootKey.KeySize.ShouldBe(384);
        Should.Throw<CryptographicException>(() => rootKey.ExportParameters(true));
    }
}
