using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>"Sign a document" in the portal: the .p7s is a detached CMS signature that openssl cms -verify accepts with the CA.</summary>
[Collection(AppCollection.Name)]
public sealed class SignDocumentTests(AppFixture app)
{
    private const string Pin = "24681357";

    private async Task<(PortalClient, TestHolder)> Holder()
    {
        var holder = await Holders.CreateAsync(app.Store, "Sara", "Conti");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Sara", "Conti", "CNTSRA90A41F205X", Pin));
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/sign");
        return (client, holder);
    }

    private static async Task<HttpResponseMessage> Upload(PortalClient client, string challenge, byte[] document, string pin, string code)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(client.Token!), "__RequestVerificationToken" }, { new StringContent(challenge), "challenge" },
            { new StringContent(pin), "pin" }, { new StringContent(code), "code" }, { new ByteArrayContent(document), "document", "contratto.pdf" },
        };
        return (await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sign") { Content = form })).Response;
    }

    [Fact]
    public async Task the_signed_document_verifies_with_openssl_and_appears_in_the_history()
    {
        var (client, holder) = await Holder();
        using var _c = client;
        var otp = await client.PostAsync("/sign/otp", new());
        var challenge = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        var document = "%PDF-1.7 a contract to sign\n"u8.ToArray();
        HttpResponseMessage response = null!;
        await app.Host.ExecuteAndWaitAsync(async () => response = await Upload(client, challenge, document, Pin, await Holders.LastSmsCodeAsync(app.Store, holder.Phone)), 30_000);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        // The page says it is signed, with the file's name, and offers the signature and a fresh form (no used PIN or OTP).
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        page.QuerySelector("#sign-done")!.TextContent.ShouldContain("Signed: contratto.pdf");
        page.QuerySelector("#sign-pin").ShouldBeNull();
        var link = page.QuerySelector("a[href^='/sign/download/']")!.GetAttribute("href")!;
        var other = await Holders.CreateAsync(app.Store);
        using (var intruder = app.Client())
        {
            await intruder.LoginAsync(other.Id, other.Password);
            (await intruder.GetAsync(link)).Status.ShouldBe(HttpStatusCode.NotFound, "another holder's signature reads as not found");
        }
        var signature = await client.Response(link);

        using var openssl = new OpenSsl();
        openssl.Write("contratto.pdf", document);
        openssl.Write("contratto.pdf.p7s", signature);
        openssl.Write("root.pem", (await client.GetAsync("/ca/root.pem")).Html);
        openssl.Write("issuing.pem", (await client.GetAsync("/ca/issuing.pem")).Html);
        var verify = await openssl.RunAsync("cms", "-verify", "-binary", "-inform", "DER", "-in", "contratto.pdf.p7s", "-content", "contratto.pdf", "-CAfile", "root.pem", "-out", "/dev/null");
        verify.Output.ShouldContain("Verification successful");
        var printed = (await openssl.RunAsync("cms", "-cmsout", "-print", "-inform", "DER", "-in", "contratto.pdf.p7s")).Output;
        printed.ShouldContain("signingTime");
        // CAdES B-T: bound to the signer's certificate (ESS signing-certificate-v2) and time-stamped by our TSA.
        printed.ShouldContain("signingCertificateV2");
        printed.ShouldContain("timeStampToken");
        var token = Cades(signature);
        openssl.Write("token.der", token);
        var (_, tokenText) = await openssl.RunAsync("ts", "-reply", "-in", "token.der", "-token_in", "-text");
        tokenText.ShouldContain("Policy OID: 1.3.6.1.4.1.61999.1.2.1");
        tokenText.ShouldContain("Hash Algorithm: sha256");
        // The token is over this signature's value (RFC 3161 imprint of SignerInfo.signature), checked by openssl.
        openssl.Write("signature-value.bin", SignatureValue(signature));
        (await openssl.RunAsync("ts", "-verify", "-data", "signature-value.bin", "-in", "token.der", "-token_in", "-CAfile", "root.pem", "-untrusted", "issuing.pem"))
            .Output.ShouldContain("Verification: OK");

        openssl.Write("tampered.pdf", "%PDF-1.7 a contract to sign, changed\n"u8.ToArray());
        (await openssl.RunAsync("cms", "-verify", "-binary", "-inform", "DER", "-in", "contratto.pdf.p7s", "-content", "tampered.pdf", "-CAfile", "root.pem", "-out", "/dev/null")).Exit.ShouldNotBe(0);
        (await client.GetAsync("/portal/boxes/history", htmx: true)).Text.ShouldContain("contratto.pdf");
    }

    [Fact]
    public async Task a_wrong_otp_signs_nothing_and_a_suspended_certificate_cannot_sign()
    {
        var (client, holder) = await Holder();
        using var _c = client;
        var otp = await client.PostAsync("/sign/otp", new());
        var challenge = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        var wrong = await Upload(client, challenge, "doc"u8.ToArray(), Pin, "00000000");
        wrong.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await wrong.Content.ReadAsStringAsync()).ShouldContain("The OTP is not correct.");

        await using (var session = app.Store.LightweightSession())
        {
            var certificate = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
            certificate.Status = CertificateStatus.Suspended;
            session.Store(certificate);
            await session.SaveChangesAsync();
        }
        var refused = await Upload(client, challenge, "doc"u8.ToArray(), Pin, await Holders.LastSmsCodeAsync(app.Store, holder.Phone));
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("Only an active certificate can sign.");
    }

    private static byte[] Cades(byte[] p7s)
    {
        var cms = new System.Security.Cryptography.Pkcs.SignedCms();
        cms.Decode(p7s);
        var attribute = cms.SignerInfos[0].UnsignedAttributes.Cast<System.Security.Cryptography.CryptographicAttributeObject>()
            .Single(a => a.Oid.Value == MySign.Certificates.Signing.Cades.SignatureTimeStampToken);
        return attribute.Values[0].RawData;
    }

    private static byte[] SignatureValue(byte[] p7s)
    {
        var cms = new System.Security.Cryptography.Pkcs.SignedCms();
        cms.Decode(p7s);
        return cms.SignerInfos[0].GetSignature();
    }
}
