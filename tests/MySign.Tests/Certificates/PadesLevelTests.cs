using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>
/// PAdES levels and envelopes through CSC signDoc, judged by pdfsig, qpdf and openssl: a B-LTA PDF carries a DSS whose
/// OCSP answers and CRLs cover every certificate of both chains and a document time-stamp over everything before it; a
/// Certification envelope is a DocMDP certification signature; what is not offered is refused before the SAD is spent.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PadesLevelTests(AppFixture app)
{
    private const string Pin = "24681357";

    private sealed record Client(HttpClient Http, TestHolder Holder, string Credential);

    private async Task<Client> SignedIn()
    {
        var holder = await Holders.CreateAsync(app.Store, "Paolo", "Fontana");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Paolo", "Fontana", "FNTPLA80A01H501X", Pin));
        var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost/csc/v2/") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.7.7." + Random.Shared.Next(1, 250));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        var (_, login) = await Post(http, "auth/login", new { });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("access_token").GetString());
        var (_, list) = await Post(http, "credentials/list", new { });
        return new Client(http, holder, list.GetProperty("credentialIDs")[0].GetString()!);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpClient http, string method, object body)
    {
        using var response = await http.PostAsJsonAsync(method, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<string> Sad(Client client, params byte[][] documents)
    {
        (await Post(client.Http, "credentials/sendOTP", new { credentialID = client.Credential })).Status.ShouldBe(HttpStatusCode.NoContent);
        var (status, grant) = await Post(client.Http, "credentials/authorize", new
        {
            credentialID = client.Credential, numSignatures = documents.Length, hashes = documents.Select(d => Convert.ToBase64String(SHA256.HashData(d))),
            authData = new[] { new { id = "PIN", value = Pin }, new { id = "OTP", value = await Holders.LastSmsCodeAsync(app.Store, client.Holder.Phone) } },
        });
        status.ShouldBe(HttpStatusCode.OK, grant.ToString());
        return grant.GetProperty("SAD").GetString()!;
    }

    private static byte[] Pdf(string title)
    {
        using var built = new Kernel.Documents.SimplePdf();
        return built.Heading(title).Text("Firmato per la conservazione a lungo termine.").Build();
    }

    private async Task<JsonElement> SignDoc(Client client, string sad, object document)
    {
        JsonElement signed = default;
        var status = HttpStatusCode.OK;
        await app.Host.ExecuteAndWaitAsync(async () => (status, signed) = await Post(client.Http, "signatures/signDoc",
            new { credentialID = client.Credential, SAD = sad, documents = new[] { document } }), 60_000);
        status.ShouldBe(HttpStatusCode.OK, signed.ToString());
        return signed;
    }

    /// <summary>qpdf's JSON of the PDF (streams written to files beside it): every object by "obj:N 0 R".</summary>
    private static async Task<JsonElement> QpdfObjects(OpenSsl openssl, string pdf)
    {
        var (exit, output) = await openssl.RunProgramAsync("qpdf", ["--json=2", "--json-key=qpdf", "--json-stream-data=file", "--json-stream-prefix=stream", pdf, "objects.json"]);
        exit.ShouldBe(0, output);
        return JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(openssl.Folder, "objects.json"))).RootElement.GetProperty("qpdf")[1].Clone();
    }

    private static JsonElement Value(JsonElement objects, string reference) => objects.GetProperty($"obj:{reference}").GetProperty("value");

    private static string StreamFile(JsonElement objects, string reference) => objects.GetProperty($"obj:{reference}").GetProperty("stream").GetProperty("datafile").GetString()!;

    private static JsonElement Catalog(JsonElement objects) => Value(objects, objects.GetProperty("trailer").GetProperty("value").GetProperty("/Root").GetString()!);

    [Fact]
    public async Task a_b_lta_pdf_has_two_valid_signatures_a_dss_covering_every_certificate_and_a_document_time_stamp_openssl_accepts()
    {
        var client = await SignedIn();
        var pdf = Pdf("Contratto quadro 2027");
        var signed = await SignDoc(client, await Sad(client, pdf), new { document = Convert.ToBase64String(pdf), signature_format = "P", conformance_level = "AdES-B-LTA" });
        var bytes = Convert.FromBase64String(signed.GetProperty("DocumentWithSignature")[0].GetString()!);
        bytes.AsSpan(0, pdf.Length).SequenceEqual(pdf).ShouldBeTrue("the original bytes are untouched");

        using var openssl = new OpenSsl();
        using var portal = app.Client();
        var rootPem = (await portal.GetAsync("/ca/root.pem")).Html;
        openssl.Write("root.pem", rootPem);
        openssl.Write("issuing.pem", (await portal.GetAsync("/ca/issuing.pem")).Html);
        openssl.Write("signed.pdf", bytes);
        (await openssl.RunProgramAsync("qpdf", ["--check", "signed.pdf"])).Exit.ShouldBe(0);
        var (_, report) = await openssl.RunProgramAsync("pdfsig", ["-nssdir", await openssl.NssTrustingAsync(rootPem), "-nocert", "signed.pdf"]);
        report.ShouldContain("Signature #2", customMessage: report);
        report.ShouldNotContain("Signature #3");
        var signatures = report.Split("Signature #")[1..];
        signatures[0].ShouldContain("Signature Type: ETSI.CAdES.detached");
        signatures[0].ShouldContain("Signature Validation: Signature is Valid.", customMessage: report);
        // pdfsig 22.12 (Debian 12) lists the document time-stamp (the TSA signed the whole file) but cannot validate an
        // ETSI.RFC3161 signature ("Unable to validate this type of signature"): openssl ts judges it below.
        signatures[1].ShouldContain("Signer Certificate Common Name: MySign Qualified Electronic Signature CA Time-Stamp Authority", customMessage: report);
        signatures[1].ShouldContain("Total document signed");

        var objects = await QpdfObjects(openssl, "signed.pdf");
        var dss = Value(objects, Catalog(objects).GetProperty("/DSS").GetString()!);
        string[] Files(string key) => dss.GetProperty(key).EnumerateArray().Select(r => StreamFile(objects, r.GetString()!)).ToArray();
        var certificates = Files("/Certs");
        certificates.Length.ShouldBe(4, "signer, issuing CA, root, TSA");
        var pem = new System.Text.StringBuilder();
        foreach (var file in certificates) pem.Append((await openssl.RunAsync("x509", "-inform", "DER", "-in", Path.GetFileName(file))).Output);
        openssl.Write("dss-certs.pem", pem.ToString());
        var subjects = (await openssl.RunAsync("crl2pkcs7", "-nocrl", "-certfile", "dss-certs.pem", "-out", "dss.p7b")).Exit == 0
            ? (await openssl.RunAsync("pkcs7", "-in", "dss.p7b", "-print_certs", "-noout")).Output : "";
        subjects.ShouldContain("Paolo Fontana");
        subjects.ShouldContain("Time-Stamp Authority");
        (await openssl.RunAsync("x509", "-in", "dss-certs.pem", "-out", "holder.pem")).Exit.ShouldBe(0); // the first is the signer's
        var tsaAt = certificates.Length - 1;
        (await openssl.RunAsync("x509", "-inform", "DER", "-in", Path.GetFileName(certificates[tsaAt]), "-out", "tsa.pem")).Exit.ShouldBe(0);

        // The CRLs verify against their issuers, and with them alone every certificate passes a full CRL check.
        var crlArguments = new List<string>();
        foreach (var (file, i) in Files("/CRLs").Select((f, i) => (f, i)))
        {
            (await openssl.RunAsync("crl", "-inform", "DER", "-in", Path.GetFileName(file), "-out", $"dss-crl-{i}.pem")).Exit.ShouldBe(0);
            var issuer = (await openssl.RunAsync("crl", "-in", $"dss-crl-{i}.pem", "-noout", "-issuer")).Output.Contains("Root") ? "root.pem" : "issuing.pem";
            (await openssl.RunAsync("crl", "-in", $"dss-crl-{i}.pem", "-CAfile", issuer, "-noout")).Output.ShouldContain("verify OK");
            crlArguments.AddRange(["-CRLfile", $"dss-crl-{i}.pem"]);
        }
        foreach (var certificate in new[] { "holder.pem", "tsa.pem" })
        {
            var (exit, verified) = await openssl.RunAsync(["verify", "-crl_check_all", "-CAfile", "root.pem", "-untrusted", "dss-certs.pem", .. crlArguments, certificate]);
            verified.ShouldContain($"{certificate}: OK", customMessage: verified);
            exit.ShouldBe(0);
        }
        // The OCSP answers verify against the root and say "good" for the signer's and the TSA's certificates.
        var ocsps = Files("/OCSPs");
        ocsps.Length.ShouldBe(2);
        foreach (var (file, certificate) in ocsps.Zip(new[] { "holder.pem", "tsa.pem" }))
        {
            var (_, answer) = await openssl.RunAsync("ocsp", "-respin", Path.GetFileName(file), "-issuer", "issuing.pem", "-cert", certificate, "-no_nonce",
                "-CAfile", "root.pem", "-verify_other", "issuing.pem");
            answer.ShouldContain("Response verify OK", customMessage: answer);
            answer.ShouldContain($"{certificate}: good", customMessage: answer);
        }

        // The document time-stamp: an RFC 3161 token over the SHA-256 of its byte range, which openssl ts accepts.
        var stamp = objects.EnumerateObject().Select(o => o.Value).Where(o => o.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Object
            && v.TryGetProperty("/Type", out var t) && t.GetString() == "/DocTimeStamp").Single().GetProperty("value");
        stamp.GetProperty("/SubFilter").GetString().ShouldBe("/ETSI.RFC3161");
        var range = stamp.GetProperty("/ByteRange").EnumerateArray().Select(n => n.GetInt32()).ToArray();
        range[2].ShouldBeGreaterThan(bytes.Length - 20_000, "the time-stamp is the last revision");
        (range[2] + range[3]).ShouldBe(bytes.Length);
        var covered = bytes.AsSpan(range[0], range[1]).ToArray().Concat(bytes.AsSpan(range[2], range[3]).ToArray()).ToArray();
        var contents = Convert.FromHexString(stamp.GetProperty("/Contents").GetString()!["b:".Length..]);
        var length = new System.Formats.Asn1.AsnReader(contents, System.Formats.Asn1.AsnEncodingRules.BER, new() { SkipSetSortOrderVerification = true }).PeekEncodedValue().Length;
        openssl.Write("stamp.der", contents[..length]);
        var (stampExit, stampVerified) = await openssl.RunAsync("ts", "-verify", "-digest", Convert.ToHexString(SHA256.HashData(covered)), "-token_in", "-in", "stamp.der",
            "-CAfile", "root.pem", "-untrusted", "issuing.pem");
        stampVerified.ShouldContain("Verification: OK", customMessage: stampVerified);
        stampExit.ShouldBe(0);
    }

    [Fact]
    public async Task a_certification_envelope_makes_a_docmdp_certification_signature_that_pdfsig_validates()
    {
        var client = await SignedIn();
        var pdf = Pdf("Bando di gara 14/2027");
        var signed = await SignDoc(client, await Sad(client, pdf),
            new { document = Convert.ToBase64String(pdf), signature_format = "P", conformance_level = "AdES-B-T", signed_envelope_property = "Certification" });
        using var openssl = new OpenSsl();
        openssl.Write("certified.pdf", Convert.FromBase64String(signed.GetProperty("DocumentWithSignature")[0].GetString()!));
        var (_, report) = await openssl.RunProgramAsync("pdfsig", ["-nocert", "certified.pdf"]);
        report.ShouldContain("Signature Validation: Signature is Valid.", customMessage: report);
        report.ShouldContain("Total document signed");
        // pdfsig 22.12 does not print DocMDP: qpdf shows the catalog's /Perms naming this signature, with its DocMDP reference.
        var objects = await QpdfObjects(openssl, "certified.pdf");
        var signature = Value(objects, Catalog(objects).GetProperty("/Perms").GetProperty("/DocMDP").GetString()!);
        signature.GetProperty("/SubFilter").GetString().ShouldBe("/ETSI.CAdES.detached");
        var reference = signature.GetProperty("/Reference")[0];
        reference.GetProperty("/TransformMethod").GetString().ShouldBe("/DocMDP");
        reference.GetProperty("/TransformParams").GetProperty("/P").GetInt32().ShouldBe(2);
    }

    public static TheoryData<string, object> NotOffered => new()
    {
        { "B-LTA for a detached CAdES", new { signature_format = "C", conformance_level = "AdES-B-LTA" } },
        { "an unknown level", new { signature_format = "P", conformance_level = "AdES-B-LTX" } },
        { "Certification for CAdES", new { signature_format = "C", signed_envelope_property = "Certification" } },
        { "an envelope never offered", new { signature_format = "P", signed_envelope_property = "Enveloping" } },
    };

    [Theory]
    [MemberData(nameof(NotOffered))]
    public async Task what_is_not_offered_is_refused_as_invalid_request_and_spends_nothing(string what, object options)
    {
        var client = await SignedIn();
        var pdf = Pdf("Verbale " + what);
        var sad = await Sad(client, pdf);
        var document = JsonSerializer.SerializeToElement(options).EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value.GetString()!);
        document["document"] = Convert.ToBase64String(pdf);
        var (status, error) = await Post(client.Http, "signatures/signDoc", new { credentialID = client.Credential, SAD = sad, documents = new[] { document } });
        status.ShouldBe(HttpStatusCode.BadRequest, $"{what}: {error}");
        error.GetProperty("error").GetString().ShouldBe("invalid_request");
        await SignDoc(client, sad, new { document = Convert.ToBase64String(pdf), signature_format = "P", conformance_level = "AdES-B-B" });
    }

    [Fact]
    public async Task documents_and_document_digests_in_one_call_are_both_signed_and_info_lists_exactly_the_levels_offered()
    {
        var client = await SignedIn();
        var pdf = Pdf("Ordine 88");
        var text = "Allegato tecnico all'ordine 88.\n"u8.ToArray();
        var sad = await Sad(client, pdf, text);
        JsonElement signed = default;
        var status = HttpStatusCode.OK;
        await app.Host.ExecuteAndWaitAsync(async () => (status, signed) = await Post(client.Http, "signatures/signDoc", new
        {
            credentialID = client.Credential, SAD = sad,
            documents = new[] { new { document = Convert.ToBase64String(pdf), signature_format = "P", conformance_level = "AdES-B-T" } },
            documentDigests = new[] { new { hashes = new[] { Convert.ToBase64String(SHA256.HashData(text)) }, signature_format = "C", conformance_level = "AdES-B-B" } },
        }), 60_000);
        status.ShouldBe(HttpStatusCode.OK, signed.ToString());
        signed.GetProperty("DocumentWithSignature").GetArrayLength().ShouldBe(1);
        signed.GetProperty("SignatureObject").GetArrayLength().ShouldBe(1);

        var (_, info) = await Post(client.Http, "info", new { });
        info.GetProperty("conformance_levels").EnumerateArray().Select(l => l.GetString()).ShouldBe(["AdES-B-B", "AdES-B-T", "AdES-B-LT", "AdES-B-LTA"]);
        info.GetProperty("signature_formats").GetProperty("envelope_properties")[1].EnumerateArray().Select(e => e.GetString()).ShouldBe(["Certification", "Revision"]);
    }
}
