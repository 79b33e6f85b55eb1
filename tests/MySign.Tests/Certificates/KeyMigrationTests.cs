using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Certificates.Custody;
using MySign.Certificates.Domain;
using MySign.TrustServices.Authority;
using Npgsql;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>
/// Migration without a re-issue (docs/adr/0015): a holder whose key was made before the HSM — generated in memory, kept as
/// PKCS#8 sealed under the PIN — signs with the PIN they always had; that signature moves the key into the token's form in
/// the same transaction, and keys-status counts it there from then on.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class KeyMigrationTests(AppFixture app)
{
    private const string Pin = "52917364";

    /// <summary>A holder as the portal made them before this change: the key made in memory, its certificate from the CA, PKCS#8 sealed under the PIN.</summary>
    private async Task<(TestHolder Holder, X509Certificate2 Certificate)> HolderFromBeforeTheHsmAsync()
    {
        var holder = await Holders.CreateAsync(app.Store, "Piero", "Antichi");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Piero", "Antichi", "NTCPRI70A01H501Z", Pin));
        var authority = app.Host.Services.GetRequiredService<CertificateAuthority>();
        var (_, issuing) = await authority.GetAsync();
        await using var session = app.Store.LightweightSession();
        var current = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serial = CertificateFactory.Serial();
        var certificate = CertificateFactory.IssueHolder(issuing, await authority.IssuingSignerAsync(), new HolderIdentity(current.GivenName, current.Surname,
            current.FiscalCode, current.UniqueIdentifier), new PublicKey(key), current.ActivatedAt, current.ExpiresAt, serial, authority.Locations);
        current.Der = certificate.RawData;
        current.SerialNumber = Convert.ToHexString(serial);
        current.Key = KeyVault.Seal(key.ExportPkcs8PrivateKey(), Pin, app.Host.Services.GetRequiredService<KeySecret>().Value, wrappedBy: null);
        session.Store(current);
        await session.SaveChangesAsync();
        return (holder, certificate);
    }

    private async Task<KeyForms> KeysStatusAsync()
    {
        await using var query = app.Store.QuerySession();
        return await KeyForms.CountAsync(query, DateTimeOffset.UtcNow, CancellationToken.None);
    }

    private async Task<byte[]> SignAsync(PortalClient client, TestHolder holder, byte[] document)
    {
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        var otp = await client.PostAsync("/sign/otp", new());
        var challenge = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        HttpResponseMessage response = null!;
        await app.Host.ExecuteAndWaitAsync(async () =>
            response = await RemoteSigning.SignDocumentTests.Upload(client, challenge, document, Pin, await Holders.LastSmsCodeAsync(app.Store, holder.Phone)), 30_000);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var link = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(text).QuerySelector("a[href^='/sign/download/']")!.GetAttribute("href")!;
        return await client.Response(link);
    }

    [Fact]
    public async Task a_holder_made_before_the_hsm_signs_with_the_old_pin_and_is_then_counted_in_the_token_form()
    {
        var (holder, legacy) = await HolderFromBeforeTheHsmAsync();
        using var _l = legacy;
        var before = await KeysStatusAsync();
        before.HolderKeysPkcs8.ShouldBeGreaterThanOrEqualTo(1, "the holder counts as PKCS#8 before the PIN opens the key");

        using var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/sign");
        var document = "Verbale di consegna, firmato con il PIN di sempre.\n"u8.ToArray();
        var signature = await SignAsync(client, holder, document);

        // openssl: the signature verifies, and it is the old key's (the certificate made before the HSM signed it).
        using var openssl = new OpenSsl();
        openssl.Write("verbale.txt", document);
        openssl.Write("verbale.p7s", signature);
        openssl.Write("root.pem", (await client.GetAsync("/ca/root.pem")).Html);
        (await openssl.RunAsync("cms", "-verify", "-binary", "-inform", "DER", "-in", "verbale.p7s", "-content", "verbale.txt", "-CAfile", "root.pem", "-out", "/dev/null"))
            .Output.ShouldContain("Verification successful");
        openssl.Write("signer.pem", (await openssl.RunAsync("cms", "-verify", "-noverify", "-binary", "-inform", "DER", "-in", "verbale.p7s", "-content", "verbale.txt",
            "-signer", "/dev/stdout", "-out", "/dev/null")).Output);
        (await openssl.RunAsync("x509", "-in", "signer.pem", "-noout", "-serial")).Output.ShouldContain(legacy.SerialNumber, Case.Insensitive);

        // The key moved into the token's form with that signature: keys-status counts it there, the audit says when.
        await using (var query = app.Store.QuerySession())
            (await query.LoadAsync<HolderCertificate>(holder.Id))!.Key!.InToken.ShouldBeTrue();
        var after = await KeysStatusAsync();
        after.HolderKeysPkcs8.ShouldBe(before.HolderKeysPkcs8 - 1);
        after.HolderKeysInToken.ShouldBeGreaterThanOrEqualTo(before.HolderKeysInToken + 1);
        await using (var connection = await NpgsqlDataSource.Create(app.ConnectionString).OpenConnectionAsync())
        await using (var command = new NpgsqlCommand("select outcome from certificates.sam_activations where holder_id = $1 order by at, id", connection)
                     { Parameters = { new() { Value = holder.Id } } })
        await using (var reader = await command.ExecuteReaderAsync())
        {
            var outcomes = new List<string>();
            while (await reader.ReadAsync()) outcomes.Add(reader.GetString(0));
            outcomes.ShouldContain("moved-into-token");
            outcomes.ShouldContain("activated");
        }

        // The same PIN keeps working on the new form.
        var again = await SignAsync(client, holder, "Secondo verbale.\n"u8.ToArray());
        again.Length.ShouldBeGreaterThan(0);
    }
}
