using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.RemoteSigning;

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

    internal static async Task<HttpResponseMessage> Upload(PortalClient client, string challenge, byte[] document, string pin, string code, string name = "contratto.txt")
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent(client.Token!), "__RequestVerificationToken" }, { new StringContent(challenge), "challenge" },
            { new StringContent(pin), "pin" }, { new StringContent(code), "code" }, { new ByteArrayContent(document), "document", name },
        };
        return (await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sign") { Content = form })).Response;
    }

    [Fact]
    public async Task a_code_that_did_not_come_is_sent_again_from_the_code_step_which_stays_while_it_must_wait()
    {
        var (client, holder) = await Holder();
        using var _c = client;
        var otp = await client.PostAsync("/sign/otp", new());
        var first = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        var resend = otp.Document.QuerySelector("form[action='/sign/otp']").ShouldNotBeNull("the code step offers Send new OTP");
        var fields = resend.QuerySelectorAll("input[type=hidden]").Where(i => i.GetAttribute("name") != "__RequestVerificationToken")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");

        var tooSoon = await client.PostAsync("/sign/otp", fields);
        tooSoon.Status.ShouldBe((HttpStatusCode)429);
        tooSoon.Text.ShouldMatch(@"Please wait \d+ seconds before asking for a new OTP\.");
        tooSoon.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value").ShouldBe(first, "the code step stays, for the code already sent");
        tooSoon.Document.QuerySelector("#sign-code")!.GetAttribute("aria-describedby")!.Split(' ').ShouldContain("sign-error", "the wait is read out with the code field");
        tooSoon.Text.ShouldContain(holder.Phone[^3..]);

        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        var again = await client.PostAsync("/sign/otp", fields);
        again.Status.ShouldBe(HttpStatusCode.OK);
        var second = again.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        second.ShouldNotBe(first);
        HttpResponseMessage response = null!;
        await app.Host.ExecuteAndWaitAsync(async () => response = await Upload(client, second, "Un documento.\n"u8.ToArray(), Pin,
            await Holders.LastSmsCodeAsync(app.Store, holder.Phone)), 30_000);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_file_that_is_not_a_pdf_gets_a_cades_p7s_that_openssl_verifies_and_the_history_lists_it()
    {
        var (client, holder) = await Holder();
        using var _c = client;
        var otp = await client.PostAsync("/sign/otp", new());
        var challenge = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        var document = "Contratto di locazione: le parti convengono quanto segue.\n"u8.ToArray();
        HttpResponseMessage response = null!;
        await app.Host.ExecuteAndWaitAsync(async () => response = await Upload(client, challenge, document, Pin, await Holders.LastSmsCodeAsync(app.Store, holder.Phone)), 30_000);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        // The page says it is signed, with the file's name, and offers the signature and a fresh form (no used PIN or OTP).
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        page.QuerySelector("#sign-done")!.TextContent.ShouldContain("Signed: contratto.txt");
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
        openssl.Write("contratto.txt", document);
        openssl.Write("contratto.txt.p7s", signature);
        openssl.Write("root.pem", (await client.GetAsync("/ca/root.pem")).Html);
        openssl.Write("issuing.pem", (await client.GetAsync("/ca/issuing.pem")).Html);
        var verify = await openssl.RunAsync("cms", "-verify", "-binary", "-inform", "DER", "-in", "contratto.txt.p7s", "-content", "contratto.txt", "-CAfile", "root.pem", "-out", "/dev/null");
        verify.Output.ShouldContain("Verification successful");
        var printed = (await openssl.RunAsync("cms", "-cmsout", "-print", "-inform", "DER", "-in", "contratto.txt.p7s")).Output;
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

        openssl.Write("tampered.pdf", "Contratto di locazione: le parti convengono altro.\n"u8.ToArray());
        (await openssl.RunAsync("cms", "-verify", "-binary", "-inform", "DER", "-in", "contratto.txt.p7s", "-content", "tampered.pdf", "-CAfile", "root.pem", "-out", "/dev/null")).Exit.ShouldNotBe(0);
        (await client.GetAsync("/portal/boxes/history", htmx: true)).Text.ShouldContain("contratto.txt");
    }

    /// <summary>Signs a PDF through the Sign page and returns the signed PDF the holder downloads.</summary>
    private async Task<byte[]> SignPdf(PortalClient client, TestHolder holder, byte[] pdf, string name)
    {
        var otp = await client.PostAsync("/sign/otp", new());
        var challenge = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        HttpResponseMessage response = null!;
        await app.Host.ExecuteAndWaitAsync(async () => response = await Upload(client, challenge, pdf, Pin, await Holders.LastSmsCodeAsync(app.Store, holder.Phone), name), 30_000);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(text);
        var link = page.QuerySelector("a[href^='/sign/download/']")!.GetAttribute("href")!;
        var download = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, link));
        download.Response.Content.Headers.ContentType!.MediaType.ShouldBe("application/pdf");
        download.Response.Content.Headers.ContentDisposition!.FileNameStar.ShouldBe(name.Replace(".pdf", "-signed.pdf"));
        return await download.Response.Content.ReadAsByteArrayAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_pdf_is_signed_inside_as_pades_b_lta_that_pdfsig_trusts_and_qpdf_finds_sound(bool crossReferenceStream)
    {
        var (client, holder) = await Holder();
        using var _c = client;
        using var openssl = new OpenSsl();
        using (var built = new Kernel.Documents.SimplePdf())
            openssl.Write("plain.pdf", built.Heading("Contratto di locazione").Text("Le parti convengono quanto segue: canone mensile 800 euro.").Build());
        var original = Path.Combine(openssl.Folder, "contratto.pdf");
        // The same document as another producer would write it: object streams and a cross-reference stream.
        (await openssl.RunProgramAsync("qpdf", crossReferenceStream ? ["--object-streams=generate", "plain.pdf", "contratto.pdf"] : ["plain.pdf", "contratto.pdf"])).Exit.ShouldBe(0);
        var pdf = await File.ReadAllBytesAsync(original);

        var signed = await SignPdf(client, holder, pdf, "contratto.pdf");
        signed.AsSpan(0, pdf.Length).SequenceEqual(pdf).ShouldBeTrue("an incremental update: the original bytes are untouched");
        openssl.Write("signed.pdf", signed);

        // poppler's pdfsig checks the signature; whether it trusts the certificate (which needs our OCSP responder on a
        // real port) is the browser story's part.
        // The holder's signature first; B-LTA then adds the DSS and a document time-stamp, so it no longer covers the whole file
        // (PadesLevelTests judges those two updates).
        var (_, report) = await openssl.RunProgramAsync("pdfsig", ["-nocert", "signed.pdf"]);
        var holderSignature = report.Split("Signature #")[1];
        holderSignature.ShouldContain("Signature Validation: Signature is Valid.", customMessage: report);
        holderSignature.ShouldContain("Signature Type: ETSI.CAdES.detached");
        holderSignature.ShouldContain("Signer Certificate Common Name: Sara Conti");
        report.ShouldContain("Signature Type: unknown", customMessage: "the document time-stamp, which pdfsig 22.12 lists but does not read: " + report);

        (await openssl.RunProgramAsync("qpdf", ["--check", "signed.pdf"])).Output.ShouldContain("No syntax or stream encoding errors found");
        (await openssl.RunProgramAsync("pdftotext", ["signed.pdf", "-"])).Output.ShouldContain("canone mensile 800 euro");

        // The CMS inside is CAdES B-T: signing-certificate-v2 and our TSA's time-stamp, no signing-time attribute.
        var cms = Contents(signed);
        openssl.Write("inside.p7s", cms);
        var printed = (await openssl.RunAsync("cms", "-cmsout", "-print", "-inform", "DER", "-in", "inside.p7s")).Output;
        printed.ShouldContain("signingCertificateV2");
        printed.ShouldContain("timeStampToken");
        var inside = new System.Security.Cryptography.Pkcs.SignedCms();
        inside.Decode(cms);
        inside.SignerInfos[0].SignedAttributes.Cast<System.Security.Cryptography.CryptographicAttributeObject>().Select(a => a.Oid.Value)
            .ShouldNotContain("1.2.840.113549.1.9.5", "PAdES: the time of signing is the dictionary's /M, not a signing-time attribute");

        // A byte of the original changed after signing is noticed.
        var tampered = (byte[])signed.Clone();
        tampered[pdf.Length / 2] ^= 0x01;
        openssl.Write("tampered.pdf", tampered);
        (await openssl.RunProgramAsync("pdfsig", ["-nocert", "tampered.pdf"])).Output.ShouldNotContain("Signature is Valid.");
    }

    [Fact]
    public async Task a_damaged_pdf_is_refused_next_to_the_file_and_nothing_is_signed()
    {
        var (client, holder) = await Holder();
        using var _c = client;
        var otp = await client.PostAsync("/sign/otp", new());
        var challenge = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        var refused = await Upload(client, challenge, "%PDF-1.7 not really a PDF\n"u8.ToArray(), Pin, await Holders.LastSmsCodeAsync(app.Store, holder.Phone), "broken.pdf");
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("This PDF cannot be signed");
    }

    /// <summary>The CMS in the signature dictionary's /Contents (hex, zero-padded).</summary>
    private static byte[] Contents(byte[] pdf)
    {
        var text = System.Text.Encoding.Latin1.GetString(pdf);
        // The holder's signature is the first (B-LTA's document time-stamp comes after it).
        var start = text.IndexOf("/Contents <", StringComparison.Ordinal) + "/Contents <".Length;
        var end = text.IndexOf('>', start);
        // DER length from the header: the zero padding is not part of the CMS.
        var reader = new System.Formats.Asn1.AsnReader(Convert.FromHexString(text[start..end]), System.Formats.Asn1.AsnEncodingRules.BER);
        return reader.ReadEncodedValue().ToArray();
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
            .Single(a => a.Oid.Value == MySign.RemoteSigning.Signing.Cades.SignatureTimeStampToken);
        return attribute.Values[0].RawData;
    }

    private static byte[] SignatureValue(byte[] p7s)
    {
        var cms = new System.Security.Cryptography.Pkcs.SignedCms();
        cms.Decode(p7s);
        return cms.SignerInfos[0].GetSignature();
    }
}
