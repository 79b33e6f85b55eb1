using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.RemoteSigning.Csc;
using MySign.Certificates.Custody;
using MySign.Certificates.Domain;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.RemoteSigning;

/// <summary>A CSC API v2 client over HTTP, as signing software would be.</summary>
[Collection(AppCollection.Name)]
public sealed class CscApiTests(AppFixture app)
{
    private const string Pin = "24681357";

    private sealed class Csc(HttpClient http)
    {
        public async Task<(HttpStatusCode Status, JsonElement Body)> Post(string method, object? body = null)
        {
            using var response = await http.PostAsJsonAsync("/csc/v2/" + method, body ?? new { });
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    private async Task<(Csc Client, TestHolder Holder, string Credential)> SignedIn(bool automatic = false)
    {
        var holder = await Holders.CreateAsync(app.Store, "Luca", "Ferri");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Luca", "Ferri", "FRRLCU80A01H501X", Pin, automatic));
        var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.9.9." + Random.Shared.Next(1, 250));
        var csc = new Csc(http);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        var (status, login) = await csc.Post("auth/login");
        status.ShouldBe(HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("access_token").GetString());
        var (_, list) = await csc.Post("credentials/list");
        return (csc, holder, list.GetProperty("credentialIDs")[0].GetString()!);
    }

    /// <summary>sendOTP, then authorize with authData; SCAL2 (remote) credentials bind the SAD to <paramref name="hashes"/>.</summary>
    private async Task<(HttpStatusCode, JsonElement)> Authorize(Csc csc, TestHolder holder, string credential, int count, string pin = Pin, string? otp = null, string[]? hashes = null)
    {
        (await csc.Post("credentials/sendOTP", new { credentialID = credential })).Status.ShouldBe(HttpStatusCode.NoContent);
        return await csc.Post("credentials/authorize", new { credentialID = credential, numSignatures = count, hashes,
            authData = AuthData(pin, otp ?? await Holders.LastSmsCodeAsync(app.Store, holder.Phone)) });
    }

    private static object[] AuthData(string pin, string otp) => [new { id = "PIN", value = pin }, new { id = "OTP", value = otp }];

    private static string[] Hashes(int count, string prefix = "document") => Enumerable.Range(0, count).Select(i => Hash($"{prefix}-{i}")).ToArray();

    private static string Hash(string text) => Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private Task<int> WrongPins(string holderId) => Holders.WrongPinsAsync(app.Store, holderId);

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task a_bearer_token_alone_cannot_probe_pins_the_otp_is_checked_first()
    {
        var (csc, holder, credential) = await SignedIn();
        (await csc.Post("credentials/sendOTP", new { credentialID = credential })).Status.ShouldBe(HttpStatusCode.NoContent);
        // Forty wrong PINs with a wrong OTP: none of them reaches the PIN.
        var guesses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            csc.Post("credentials/authorize", new { credentialID = credential, numSignatures = 1, hashes = Hashes(1), authData = AuthData("1357246" + (i % 10), "00000000") })));
        guesses.ShouldAllBe(g => g.Body.GetProperty("error").GetString() == "invalid_otp");
        (await WrongPins(holder.Id)).ShouldBe(0);

        // With the right OTP, a burst of wrong PINs gets one PIN check: the code is spent by the first.
        (await csc.Post("credentials/sendOTP", new { credentialID = credential })).Status.ShouldBe(HttpStatusCode.TooManyRequests, "the resend spacing holds");
        var otherHolder = await SignedIn();
        var code = await SendAndRead(otherHolder);
        var burst = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            otherHolder.Client.Post("credentials/authorize", new { credentialID = otherHolder.Credential, numSignatures = 1, hashes = Hashes(1), authData = AuthData("1357246" + (i % 10), code) })));
        burst.Count(b => b.Body.GetProperty("error").GetString() == "invalid_pin").ShouldBe(1);
        (await WrongPins(otherHolder.Holder.Id)).ShouldBe(1);
    }

    private async Task<string> SendAndRead((Csc Client, TestHolder Holder, string Credential) who)
    {
        (await who.Client.Post("credentials/sendOTP", new { credentialID = who.Credential })).Status.ShouldBe(HttpStatusCode.NoContent);
        return await Holders.LastSmsCodeAsync(app.Store, who.Holder.Phone);
    }

    [Fact]
    public async Task sign_doc_returns_a_signed_pdf_and_a_detached_cades_that_other_tools_verify_under_the_same_sad_rules()
    {
        var (csc, holder, credential) = await SignedIn();
        byte[] pdf;
        using (var built = new Kernel.Documents.SimplePdf()) pdf = built.Heading("Ordine di acquisto 77").Text("Quantità: 12 unità.").Build();
        var text = "Verbale di consegna firmato via CSC.\n"u8.ToArray();

        // SCAL2: the SAD is bound to these two documents' SHA-256 and their count.
        (await csc.Post("credentials/sendOTP", new { credentialID = credential })).Status.ShouldBe(HttpStatusCode.NoContent);
        var (status, grant) = await csc.Post("credentials/authorize", new { credentialID = credential, numSignatures = 2,
            hashes = new[] { Convert.ToBase64String(SHA256.HashData(pdf)), Convert.ToBase64String(SHA256.HashData(text)) },
            authData = AuthData(Pin, await Holders.LastSmsCodeAsync(app.Store, holder.Phone)) });
        status.ShouldBe(HttpStatusCode.OK);
        var (refusedStatus, refused) = await csc.Post("signatures/signDoc", new { credentialID = credential, SAD = grant.GetProperty("SAD").GetString(),
            documents = new[] { new { document = Convert.ToBase64String("another document"u8.ToArray()), signature_format = "C", conformance_level = "AdES-B-T" } } });
        refusedStatus.ShouldBe(HttpStatusCode.BadRequest);
        refused.GetProperty("error_description").GetString().ShouldBe("A hash was not authorized");

        JsonElement signed = default;
        await app.Host.ExecuteAndWaitAsync(async () => (status, signed) = await csc.Post("signatures/signDoc", new
        {
            credentialID = credential, SAD = grant.GetProperty("SAD").GetString(),
            documents = new object[]
            {
                new { document = Convert.ToBase64String(pdf), signature_format = "P", conformance_level = "AdES-B-T", signAlgo = CscApi.EcdsaWithSha256 },
                new { document = Convert.ToBase64String(text), signature_format = "C", conformance_level = "AdES-B-B" },
            },
        }), 30_000);
        status.ShouldBe(HttpStatusCode.OK, signed.ToString());

        using var openssl = new OpenSsl();
        openssl.Write("root.pem", await new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") }.GetStringAsync("/ca/root.pem"));
        var signedPdf = Convert.FromBase64String(signed.GetProperty("DocumentWithSignature")[0].GetString()!);
        signedPdf.AsSpan(0, pdf.Length).SequenceEqual(pdf).ShouldBeTrue("the PDF comes back signed inside, its bytes untouched");
        openssl.Write("ordine.pdf", signedPdf);
        var (_, report) = await openssl.RunProgramAsync("pdfsig", ["-nocert", "ordine.pdf"]);
        report.ShouldContain("Signature Validation: Signature is Valid.", customMessage: report);
        report.ShouldContain("Signature Type: ETSI.CAdES.detached");

        openssl.Write("verbale.txt", text);
        openssl.Write("verbale.p7s", Convert.FromBase64String(signed.GetProperty("SignatureObject")[0].GetString()!));
        (await openssl.RunAsync("cms", "-verify", "-binary", "-inform", "DER", "-in", "verbale.p7s", "-content", "verbale.txt", "-CAfile", "root.pem", "-out", "/dev/null"))
            .Output.ShouldContain("Verification successful");
        var printed = (await openssl.RunAsync("cms", "-cmsout", "-print", "-inform", "DER", "-in", "verbale.p7s")).Output;
        printed.ShouldContain("signingCertificateV2");
        printed.ShouldNotContain("timeStampToken", customMessage: "AdES-B-B was asked for");

        // The SAD covered two signatures: it is spent.
        var (again, spent) = await csc.Post("signatures/signDoc", new { credentialID = credential, SAD = grant.GetProperty("SAD").GetString(),
            documents = new[] { new { document = Convert.ToBase64String(text), signature_format = "C" } } });
        again.ShouldBe(HttpStatusCode.BadRequest);
        spent.GetProperty("error_description").GetString().ShouldBe("The SAD does not allow this many signatures");
        (await csc.Post("signatures/signDoc", new { credentialID = credential, SAD = grant.GetProperty("SAD").GetString(),
            documents = new[] { new { document = Convert.ToBase64String(text), signature_format = "P" } } })).Body.GetProperty("error_description").GetString()
            .ShouldBe("Document 1 is not a PDF: use signature_format C");
    }

    [Fact]
    public async Task sign_doc_with_document_digests_returns_a_cades_that_openssl_verifies_against_the_document()
    {
        var (csc, holder, credential) = await SignedIn();
        var text = "Capitolato tecnico, revisione 4.\n"u8.ToArray();
        var digest = Convert.ToBase64String(SHA256.HashData(text));
        (await csc.Post("credentials/sendOTP", new { credentialID = credential })).Status.ShouldBe(HttpStatusCode.NoContent);
        var (status, grant) = await csc.Post("credentials/authorize", new { credentialID = credential, numSignatures = 1, hashes = new[] { digest },
            authData = AuthData(Pin, await Holders.LastSmsCodeAsync(app.Store, holder.Phone)) });
        status.ShouldBe(HttpStatusCode.OK);
        JsonElement signed = default;
        await app.Host.ExecuteAndWaitAsync(async () => (status, signed) = await csc.Post("signatures/signDoc", new
        {
            credentialID = credential, SAD = grant.GetProperty("SAD").GetString(),
            documentDigests = new[] { new { hashes = new[] { digest }, hashAlgorithmOID = CscApi.Sha256, signature_format = "C", conformance_level = "AdES-B-T" } },
        }), 30_000);
        status.ShouldBe(HttpStatusCode.OK, signed.ToString());

        using var openssl = new OpenSsl();
        openssl.Write("root.pem", await new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") }.GetStringAsync("/ca/root.pem"));
        openssl.Write("capitolato.txt", text);
        openssl.Write("capitolato.p7s", Convert.FromBase64String(signed.GetProperty("SignatureObject")[0].GetString()!));
        var (_, verified) = await openssl.RunAsync("cms", "-verify", "-binary", "-inform", "DER", "-in", "capitolato.p7s", "-content", "capitolato.txt", "-CAfile", "root.pem", "-out", "/dev/null");
        verified.ShouldContain("Verification successful", customMessage: verified);
        var printed = (await openssl.RunAsync("cms", "-cmsout", "-print", "-inform", "DER", "-in", "capitolato.p7s")).Output;
        printed.ShouldContain("signingCertificateV2");
        printed.ShouldContain("timeStampToken");
        openssl.Write("other.txt", "Capitolato tecnico, revisione 5.\n");
        (await openssl.RunAsync("cms", "-verify", "-binary", "-inform", "DER", "-in", "capitolato.p7s", "-content", "other.txt", "-CAfile", "root.pem", "-out", "/dev/null")).Exit.ShouldNotBe(0);
    }

    [Fact]
    public async Task a_client_signs_three_hashes_that_verify_with_the_certificate_and_the_history_shows_them()
    {
        var (csc, holder, credential) = await SignedIn();
        var (_, info) = await csc.Post("credentials/info", new { credentialID = credential, certificates = "chain" });
        info.GetProperty("auth").GetProperty("mode").GetString().ShouldBe("explicit");
        info.GetProperty("cert").GetProperty("status").GetString().ShouldBe("valid");
        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(info.GetProperty("cert").GetProperty("certificates")[0].GetString()!));
        info.GetProperty("cert").GetProperty("certificates").GetArrayLength().ShouldBe(3);

        var hashes = new[] { Hash("contract"), Hash("offer"), Hash("minutes") };
        var (status, grant) = await Authorize(csc, holder, credential, 3, hashes: hashes);
        status.ShouldBe(HttpStatusCode.OK);
        var sad = grant.GetProperty("SAD").GetString();
        JsonElement signed = default;
        await app.Host.ExecuteAndWaitAsync(async () =>
        {
            (status, signed) = await csc.Post("signatures/signHash", new { credentialID = credential, SAD = sad, hashes, hashAlgorithmOID = CscApi.Sha256, signAlgo = CscApi.EcdsaWithSha256 });
        }, 30_000);
        status.ShouldBe(HttpStatusCode.OK);
        using var key = certificate.GetECDsaPublicKey()!;
        var signatures = signed.GetProperty("signatures").EnumerateArray().Select(s => Convert.FromBase64String(s.GetString()!)).ToList();
        signatures.Count.ShouldBe(3);
        for (var i = 0; i < 3; i++)
            key.VerifyHash(Convert.FromBase64String(hashes[i]), signatures[i], DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();

        // The SAD covered three signatures: a fourth is refused.
        var (again, error) = await csc.Post("signatures/signHash", new { credentialID = credential, SAD = sad, hashes = new[] { Hash("contract") }, signAlgo = CscApi.EcdsaWithSha256 });
        again.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("error").GetString().ShouldBe("invalid_request");

        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        (await portal.GetAsync("/portal/boxes/counters", htmx: true)).Document.QuerySelectorAll("dd").Select(d => d.TextContent).ShouldBe(["3", "3"]);
        var history = await portal.GetAsync("/portal/boxes/history", htmx: true);
        history.Document.QuerySelectorAll("tbody tr").Length.ShouldBe(3);
        history.Text.ShouldContain("API");
    }

    [Fact]
    public async Task an_automatic_signature_credential_signs_a_batch_under_one_authorisation()
    {
        var (remote, remoteHolder, remoteCredential) = await SignedIn();
        var (tooMany, error) = await Authorize(remote, remoteHolder, remoteCredential, 5000);
        tooMany.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("error").GetString().ShouldBe("invalid_request");

        var (csc, holder, credential) = await SignedIn(automatic: true);
        var (status, grant) = await Authorize(csc, holder, credential, 500);
        status.ShouldBe(HttpStatusCode.OK);
        grant.GetProperty("expiresIn").GetInt32().ShouldBe(3600);
        var sad = grant.GetProperty("SAD").GetString();
        await app.Host.ExecuteAndWaitAsync(async () =>
        {
            for (var batch = 0; batch < 2; batch++)
            {
                var hashes = Enumerable.Range(0, 100).Select(i => Hash($"invoice-{batch}-{i}")).ToArray();
                var (signed, body) = await csc.Post("signatures/signHash", new { credentialID = credential, SAD = sad, hashes, signAlgo = CscApi.EcdsaWithSha256 });
                signed.ShouldBe(HttpStatusCode.OK);
                body.GetProperty("signatures").GetArrayLength().ShouldBe(100);
            }
        }, 60_000);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        var home = await portal.GetAsync("/");
        home.Text.ShouldContain("AUTOMATIC SIGNATURE");
        home.Document.QuerySelectorAll(".counters dd").Select(d => d.TextContent).ShouldBe(["200", "200"]);
        (await portal.GetAsync("/portal/boxes/history", htmx: true)).Text.ShouldContain("Automatic");
    }

    [Fact]
    public async Task a_wrong_pin_or_otp_gets_the_csc_error()
    {
        var (csc, holder, credential) = await SignedIn();
        var (status, error) = await Authorize(csc, holder, credential, 1, pin: "11223344", hashes: Hashes(1));
        status.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("error").GetString().ShouldBe("invalid_pin");
        // a new OTP may be asked for only after 30 s: make that time pass
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        (status, error) = await Authorize(csc, holder, credential, 1, otp: "00000000", hashes: Hashes(1));
        status.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("error").GetString().ShouldBe("invalid_otp");
    }

    [Fact]
    public async Task an_expired_sad_and_a_suspended_certificate_cannot_sign()
    {
        var (csc, holder, credential) = await SignedIn();
        var (_, grant) = await Authorize(csc, holder, credential, 1, hashes: [Hash("late")]);
        var sad = grant.GetProperty("SAD").GetString()!;
        await using (var session = app.Store.LightweightSession())
        {
            foreach (var g in await session.Query<CscAuthorization>().Where(a => a.HolderId == holder.Id).ToListAsync())
            {
                g.ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1);
                session.Store(g);
            }
            await session.SaveChangesAsync();
        }
        var (status, error) = await csc.Post("signatures/signHash", new { credentialID = credential, SAD = sad, hashes = new[] { Hash("late") }, signAlgo = CscApi.EcdsaWithSha256 });
        status.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("error_description").GetString()!.ShouldContain("expired");

        await using (var session = app.Store.LightweightSession())
        {
            var certificate = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
            certificate.Status = CertificateStatus.Suspended;
            session.Store(certificate);
            await session.SaveChangesAsync();
        }
        var (suspended, refusal) = await csc.Post("credentials/authorize", new { credentialID = credential, numSignatures = 1, hashes = Hashes(1), authData = AuthData(Pin, "12345678") });
        suspended.ShouldBe(HttpStatusCode.BadRequest);
        refusal.GetProperty("error_description").GetString()!.ShouldContain("suspended");
    }

    [Fact]
    public async Task without_a_valid_token_or_with_another_holders_credential_nothing_is_answered()
    {
        var (csc, _, credential) = await SignedIn();
        var (other, _, _) = await SignedIn();
        var (status, error) = await other.Post("credentials/info", new { credentialID = credential });
        status.ShouldBe(HttpStatusCode.BadRequest);
        error.GetProperty("error_description").GetString().ShouldBe("Invalid parameter credentialID");

        using var anonymous = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        (await new Csc(anonymous).Post("credentials/list")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("nobody:wrong-password"u8.ToArray()));
        var (login, body) = await new Csc(anonymous).Post("auth/login");
        login.ShouldBe(HttpStatusCode.Unauthorized);
        body.GetProperty("error").GetString().ShouldBe("authentication_error");
        (await csc.Post("info")).Body.GetProperty("specs").GetString().ShouldBe("2.0.0.2");
    }
    private static string SadOf(JsonElement grant) => grant.GetProperty("SAD").GetString()!;

    private Task<(HttpStatusCode Status, JsonElement Body)> SignHash(Csc csc, string credential, string sad, params string[] hashes) =>
        csc.Post("signatures/signHash", new { credentialID = credential, SAD = sad, hashes, signAlgo = CscApi.EcdsaWithSha256 });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task parallel_extends_of_one_sad_hand_out_one_new_sad_and_never_more_signatures_than_authorised(bool automatic)
    {
        var (csc, holder, credential) = await SignedIn(automatic);
        var hashes = Hashes(2, "extended");
        var (status, grant) = await Authorize(csc, holder, credential, 2, hashes: automatic ? null : hashes);
        status.ShouldBe(HttpStatusCode.OK, grant.ToString());
        var sad = SadOf(grant);

        var extends = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            csc.Post("credentials/extendTransaction", new { credentialID = credential, SAD = sad, hashes })));
        var answers = string.Join("; ", extends.Select(e => $"{(int)e.Status} {e.Body}"));
        extends.Count(e => e.Status == HttpStatusCode.OK).ShouldBe(1, answers);
        extends.Where(e => e.Status != HttpStatusCode.OK).ShouldAllBe(e => e.Body.GetProperty("error_description").GetString() == "Invalid SAD", answers);

        // Every SAD ever handed out (the old one and each new one) tries to sign each hash: two signatures in all.
        var signed = 0;
        await app.Host.ExecuteAndWaitAsync(async () =>
        {
            foreach (var each in extends.Where(e => e.Status == HttpStatusCode.OK).Select(e => SadOf(e.Body)).Prepend(sad))
                foreach (var hash in hashes)
                    if ((await SignHash(csc, credential, each, hash)).Status == HttpStatusCode.OK) signed++;
        }, 30_000);
        signed.ShouldBe(2);
    }

    [Fact]
    public async Task a_sad_bound_to_two_documents_signs_each_once_and_never_one_of_them_twice()
    {
        var (csc, holder, credential) = await SignedIn();
        var first = "Contratto, pagina firmata una volta.\n"u8.ToArray();
        var second = "Allegato A.\n"u8.ToArray();
        string[] bound = [Convert.ToBase64String(SHA256.HashData(first)), Convert.ToBase64String(SHA256.HashData(second))];
        var (_, grant) = await Authorize(csc, holder, credential, 2, hashes: bound);
        var sad = SadOf(grant);

        var (twice, error) = await SignHash(csc, credential, sad, bound[0], bound[0]);
        twice.ShouldBe(HttpStatusCode.BadRequest, error.ToString());
        error.GetProperty("error").GetString().ShouldBe("invalid_request");
        var (twiceAsDocuments, documentsError) = await csc.Post("signatures/signDoc", new
        {
            credentialID = credential, SAD = sad,
            documents = new[] { first, first }.Select(d => new { document = Convert.ToBase64String(d), signature_format = "C", conformance_level = "AdES-B-B" }),
        });
        twiceAsDocuments.ShouldBe(HttpStatusCode.BadRequest, documentsError.ToString());

        JsonElement signed = default;
        await app.Host.ExecuteAndWaitAsync(async () => signed = (await SignHash(csc, credential, sad, bound)).Body, 30_000);
        signed.GetProperty("signatures").GetArrayLength().ShouldBe(2, "neither refusal spent anything");
    }

    [Fact]
    public async Task sign_doc_refuses_a_pdf_it_cannot_read_before_spending_the_sad()
    {
        var (csc, holder, credential) = await SignedIn();
        // A PDF whose page tree nests arrays deeper than the reader follows.
        var deep = System.Text.Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids "
            + new string('[', 5000) + new string(']', 5000) + " /Count 1 >>\nendobj\ntrailer\n<< /Root 1 0 R /Size 3 >>\nstartxref\n0\n%%EOF\n");
        var hash = Convert.ToBase64String(SHA256.HashData(deep));
        var (_, grant) = await Authorize(csc, holder, credential, 1, hashes: [hash]);
        var (status, error) = await csc.Post("signatures/signDoc", new
        {
            credentialID = credential, SAD = SadOf(grant),
            documents = new[] { new { document = Convert.ToBase64String(deep), signature_format = "P", conformance_level = "AdES-B-B" } },
        });
        status.ShouldBe(HttpStatusCode.BadRequest, error.ToString());
        error.GetProperty("error").GetString().ShouldBe("invalid_request");
        error.GetProperty("error_description").GetString()!.ShouldContain("Document 1");
        await app.Host.ExecuteAndWaitAsync(async () => (status, error) = await SignHash(csc, credential, SadOf(grant), hash), 30_000);
        status.ShouldBe(HttpStatusCode.OK, "the refused call did not spend the SAD: " + error);
    }

    [Fact]
    public async Task a_basic_login_is_refused_for_a_holder_who_asks_for_the_otp_after_the_password_and_points_to_oauth()
    {
        var holder = await Holders.CreateAsync(app.Store, "Sara", "Galli");
        await using (var session = app.Store.LightweightSession())
        {
            var account = (await session.LoadAsync<MySign.Accounts.Domain.HolderAccount>(holder.Id))!;
            account.FactorAtSignIn = true;
            session.Store(account);
            await session.SaveChangesAsync();
        }
        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.9.8." + Random.Shared.Next(1, 250));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        var (status, body) = await new Csc(http).Post("auth/login");
        status.ShouldBe(HttpStatusCode.Unauthorized, body.ToString());
        body.TryGetProperty("access_token", out _).ShouldBeFalse();
        body.GetProperty("error_description").GetString()!.ShouldContain("oauth2/authorize");
    }

    [Fact]
    public async Task the_same_sign_hash_again_on_its_sad_is_answered_with_the_same_signatures_and_filed_once()
    {
        var (csc, holder, credential) = await SignedIn();
        var hashes = Hashes(3, "lost-answer");
        var (_, grant) = await Authorize(csc, holder, credential, 3, hashes: hashes);
        var sad = SadOf(grant);
        // A client that did not get the first answer asks again, twice at once (a retry and its impatient twin).
        (HttpStatusCode Status, JsonElement Body)[] answers = [];
        await app.Host.ExecuteAndWaitAsync(async () =>
        {
            var lost = await SignHash(csc, credential, sad, hashes);
            lost.Status.ShouldBe(HttpStatusCode.OK, lost.Body.ToString());
            answers = [lost, .. await Task.WhenAll(SignHash(csc, credential, sad, hashes), SignHash(csc, credential, sad, hashes))];
        }, 30_000);
        var signatures = answers.Select(a => a.Status == HttpStatusCode.OK ? string.Join(",", a.Body.GetProperty("signatures").EnumerateArray().Select(s => s.GetString())) : a.Body.ToString()).ToList();
        signatures.Distinct().Count().ShouldBe(1, string.Join("\n", signatures));

        // A different call on the same SAD is not a replay: its hashes were spent.
        (await SignHash(csc, credential, sad, hashes[0])).Status.ShouldBe(HttpStatusCode.BadRequest);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        (await portal.GetAsync("/portal/boxes/counters", htmx: true)).Document.QuerySelectorAll("dd").Select(d => d.TextContent).ShouldBe(["3", "3"]);
    }
}
