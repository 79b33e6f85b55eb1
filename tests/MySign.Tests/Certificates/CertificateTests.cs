using System.Security.Cryptography;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Certificates.Status;
using MySign.TrustServices.Authority;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>What the CA produces, checked by openssl; status changes through the portal's forms with PIN and OTP.</summary>
[Collection(AppCollection.Name)]
public sealed class CertificateTests(AppFixture app)
{
    private const string Pin = "24681357";

    private async Task<(PortalClient Client, TestHolder Holder)> HolderWithCertificate()
    {
        var holder = await Holders.CreateAsync(app.Store, "Giulia", "Bianchi");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Giulia", "Bianchi", "BNCGLI85M41H501Z", Pin));
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/");
        return (client, holder);
    }

    private async Task<HolderCertificate> Current(string holderId)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<HolderCertificate>(holderId))!;
    }

    /// <summary>What a relying party holds: our root, the issuing CA and the holder's certificate, as the portal serves them.</summary>
    private static async Task WriteTrustFilesAsync(PortalClient client, OpenSsl openssl)
    {
        openssl.Write("root.pem", (await client.GetAsync("/ca/root.pem")).Html);
        openssl.Write("issuing.pem", (await client.GetAsync("/ca/issuing.pem")).Html);
        openssl.Write("holder.pem", (await client.GetAsync("/certificate/download/pem")).Html);
    }

    private async Task<(int Exit, string Output)> VerifyWithCrl(PortalClient client, OpenSsl openssl)
    {
        openssl.Write("chain-root.pem", (await client.GetAsync("/ca/root.pem")).Html);
        openssl.Write("chain-issuing.pem", (await client.GetAsync("/ca/issuing.pem")).Html);
        openssl.Write("holder.pem", (await client.GetAsync("/certificate/download/pem")).Html);
        var crl = await client.Response("/crl/issuing.crl");
        openssl.Write("crl.der", crl);
        (await openssl.RunAsync("crl", "-inform", "DER", "-in", "crl.der", "-out", "crl.pem")).Exit.ShouldBe(0);
        return await openssl.RunAsync("verify", "-crl_check", "-CAfile", "chain-root.pem", "-untrusted", "chain-issuing.pem", "-CRLfile", "crl.pem", "holder.pem");
    }

    /// <summary>Posts a form and waits for everything it set in motion (e.g. the CRL publication) to finish.</summary>
    private async Task<PortalClient.Page> PostAndWait(PortalClient client, string path, Dictionary<string, string> form)
    {
        PortalClient.Page? page = null;
        await app.Host.ExecuteAndWaitAsync(async () => page = await client.PostAsync(path, form), 30_000);
        return page!;
    }

    private async Task<PortalClient.Page> ChangeStatus(PortalClient client, TestHolder holder, string action, Dictionary<string, string> form)
    {
        await client.GetAsync($"/certificate/{action}");
        var otpPage = await client.PostAsync($"/certificate/{action}", form);
        otpPage.Status.ShouldBe(HttpStatusCode.OK, otpPage.Text);
        var confirm = otpPage.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
        // The SMS says what the code is for, in words (not a resource key).
        (await Holders.SmsToAsync(app.Store, holder.Phone))[^1].Text.ShouldContain($"of your certificate");
        return await PostAndWait(client, confirm, new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
    }

    [Fact]
    public async Task the_downloaded_certificate_is_a_qualified_signature_certificate_that_openssl_verifies_against_the_ca()
    {
        var (client, _) = await HolderWithCertificate();
        using var _c = client;
        using var openssl = new OpenSsl();
        var detail = await client.GetAsync("/certificate");
        detail.Text.ShouldContain("TINIT-BNCGLI85M41H501Z");
        detail.Document.QuerySelector("#certificate-holder")!.TextContent.ShouldBe("Giulia Bianchi");
        detail.Text.ShouldContain("MySign Qualified Electronic Signature CA");
        detail.Text.ShouldContain("Qualified Trust Service Provider");

        openssl.Write("holder.der", await client.Response("/certificate/download/der"));
        var text = await openssl.RunAsync("x509", "-inform", "DER", "-in", "holder.der", "-noout", "-text", "-nameopt", "multiline");
        text.Exit.ShouldBe(0);
        text.Output.ShouldContain("givenName                 = Giulia");
        text.Output.ShouldContain("surname                   = Bianchi");
        text.Output.ShouldContain("serialNumber              = TINIT-BNCGLI85M41H501Z");
        text.Output.ShouldContain("countryName               = IT");
        text.Output.ShouldContain("Non Repudiation");
        text.Output.ShouldContain("http://localhost/crl/issuing.crl");
        text.Output.ShouldContain("0.4.0.194112.1.2");
        text.Output.ShouldContain("qcStatements");

        var verified = await VerifyWithCrl(client, openssl);
        verified.Output.ShouldContain("holder.pem: OK");
    }

    [Fact]
    public async Task revocation_puts_the_certificate_on_the_crl_with_its_reason_and_openssl_rejects_it()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        using var openssl = new OpenSsl();
        var unconfirmed = await client.PostAsync("/certificate/revoke", new() { ["reason"] = "keyCompromise", ["pin"] = Pin });
        unconfirmed.Status.ShouldBe(HttpStatusCode.UnprocessableEntity, "the explicit confirmation is required");

        var done = await ChangeStatus(client, holder, "revoke", new() { ["reason"] = "keyCompromise", ["pin"] = Pin, ["understood"] = "yes" });
        done.Text.ShouldContain("Your certificate is revoked.");
        var result = await VerifyWithCrl(client, openssl);
        result.Exit.ShouldNotBe(0);
        result.Output.ShouldContain("certificate revoked");
        var crl = await openssl.RunAsync("crl", "-in", "crl.pem", "-noout", "-text");
        crl.Output.ShouldContain((await Current(holder.Id)).SerialNumber);
        crl.Output.ShouldContain("Key Compromise");
        (await client.GetAsync("/certificate/reactivate")).Status.ShouldBe(HttpStatusCode.NotFound, "revocation is permanent");
    }

    [Fact]
    public async Task the_ocsp_responder_answers_good_hold_good_revoked_and_unknown_as_the_certificate_lives()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        using var openssl = new OpenSsl();
        await WriteTrustFilesAsync(client, openssl);

        // The certificate says where to ask, and where its issuer's certificate is.
        var (_, aia) = await openssl.RunAsync("x509", "-in", "holder.pem", "-noout", "-ext", "authorityInfoAccess");
        aia.ShouldMatch(@"OCSP - URI:https?://[^/\s]+/ocsp");
        aia.ShouldMatch(@"CA Issuers - URI:https?://[^/\s]+/ca/issuing\.cer");
        var issuingDer = await client.Response("/ca/issuing.cer");
        openssl.Write("issuing.cer", issuingDer);
        (await openssl.RunAsync("x509", "-inform", "DER", "-in", "issuing.cer", "-noout", "-subject")).Output.ShouldContain("MySign Qualified Electronic Signature CA");

        // The qualified profile reads back: QcCompliance, QcSSCD, QcPDS (English and Italian, served here), QcType esign, the policies.
        var (_, text) = await openssl.RunAsync("x509", "-in", "holder.pem", "-noout", "-text");
        text.ShouldContain("Policy: 0.4.0.194112.1.2");
        text.ShouldContain("Policy: 1.3.6.1.4.1.61999.1.1.1");
        var (_, outer) = await openssl.RunAsync("asn1parse", "-in", "holder.pem");
        var lines = outer.Split('\n');
        var qc = Array.FindIndex(lines, l => l.Contains(":qcStatements"));
        qc.ShouldBeGreaterThan(0);
        var octets = lines.Skip(qc).First(l => l.Contains("OCTET STRING")).Split(':')[0].Trim();
        var (_, parsed) = await openssl.RunAsync("asn1parse", "-in", "holder.pem", "-strparse", octets);
        foreach (var oid in new[] { "0.4.0.1862.1.1", "0.4.0.1862.1.4", "0.4.0.1862.1.5", "0.4.0.1862.1.6", "0.4.0.1862.1.6.1" })
            parsed.ShouldContain(":" + oid, customMessage: parsed);
        var pds = System.Text.RegularExpressions.Regex.Matches(parsed, @"IA5STRING\s+:(\S+/pds/(en|it))").Select(m => m.Groups[1].Value).ToList();
        pds.Count.ShouldBe(2);
        foreach (var url in pds)
            (await client.GetAsync(new Uri(url).AbsolutePath)).Document.QuerySelector("h1")!.TextContent
                .ShouldBe(url.EndsWith("/it") ? "Dichiarazione di trasparenza PKI (PKI disclosure statement)" : "PKI disclosure statement");
        (await client.GetAsync("/certificate")).Document.QuerySelector("#ocsp-url")!.TextContent.ShouldEndWith("/ocsp");

        var good = await OcspRequests.AskAsync(client, openssl, "-cert", "holder.pem");
        good.ShouldContain("holder.pem: good");
        good.ShouldContain("OCSP Nonce");
        good.ShouldContain("OCSP Responder");

        await ChangeStatus(client, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin });
        var held = await OcspRequests.AskAsync(client, openssl, "-cert", "holder.pem");
        held.ShouldContain("holder.pem: revoked");
        held.ShouldContain("Reason: certificateHold");

        await ChangeStatus(client, holder, "reactivate", new() { ["pin"] = Pin });
        (await OcspRequests.AskAsync(client, openssl, "-cert", "holder.pem")).ShouldContain("holder.pem: good", customMessage: "the very next answer, not in 24 hours");

        await ChangeStatus(client, holder, "revoke", new() { ["reason"] = "keyCompromise", ["pin"] = Pin, ["understood"] = "yes" });
        var revoked = await OcspRequests.AskAsync(client, openssl, "-cert", "holder.pem");
        revoked.ShouldContain("holder.pem: revoked");
        revoked.ShouldContain("Reason: keyCompromise");

        (await OcspRequests.AskAsync(client, openssl, "-serial", "0x1234567890ABCDEF")).ShouldContain("0x1234567890ABCDEF: unknown");
    }

    /// <summary>
    /// Two changes of one suspended certificate, each with its own code, confirmed at the same moment (two tabs): a revocation
    /// and a reactivation. Either one wins and the other is told it lost, or (on a busy machine the two may run one after the
    /// other) the reactivation is done first and the revocation then revokes the active certificate; never the reverse. The
    /// portal and the CA's responder tell the same story. Before the status lock both applied from the suspended state: the
    /// CA kept keyCompromise and the portal said active, and signed.
    /// </summary>
    [Fact]
    public async Task a_revocation_and_a_reactivation_confirmed_together_leave_the_portal_and_the_ca_agreeing()
    {
        for (var round = 0; round < 3; round++)
        {
            var (client, holder) = await HolderWithCertificate();
            using var _ = client;
            await ChangeStatus(client, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin });
            async Task<(string Confirm, string Code)> Started(string action, Dictionary<string, string> form)
            {
                await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
                await client.GetAsync($"/certificate/{action}");
                var page = await client.PostAsync($"/certificate/{action}", form);
                page.Status.ShouldBe(HttpStatusCode.OK, page.Text);
                return (page.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!, await Holders.LastSmsCodeAsync(app.Store, holder.Phone));
            }
            var revoke = await Started("revoke", new() { ["reason"] = "keyCompromise", ["pin"] = Pin, ["understood"] = "yes" });
            var reactivate = await Started("reactivate", new() { ["pin"] = Pin });

            PortalClient.Page[] answers = [];
            await app.Host.ExecuteAndWaitAsync(async () => answers = await Task.WhenAll(
                client.PostAsync(revoke.Confirm, new() { ["code"] = revoke.Code }), client.PostAsync(reactivate.Confirm, new() { ["code"] = reactivate.Code })), 30_000);
            var done = answers.Count(a => a.Status == HttpStatusCode.OK);
            done.ShouldBeGreaterThan(0, string.Join(" | ", answers.Select(a => $"{a.Status}")));

            var certificate = await Current(holder.Id);
            if (done == 2) certificate.Status.ShouldBe(CertificateStatus.Revoked, "both done only one after the other: reactivated, then revoked");
            foreach (var lost in answers.Where(a => a.Status == HttpStatusCode.Conflict))
                lost.Document.QuerySelector("h1")!.TextContent.ShouldContain("nothing was done", customMessage: "the loser is told it did nothing");
            await using var session = app.Store.QuerySession();
            var entry = await session.LoadAsync<MySign.TrustServices.Domain.RevocationEntry>(certificate.SerialNumber);
            if (certificate.Status == CertificateStatus.Revoked) entry.ShouldNotBeNull().Reason.ShouldBe(System.Security.Cryptography.X509Certificates.X509RevocationReason.KeyCompromise);
            else
            {
                certificate.Status.ShouldBe(CertificateStatus.Active);
                entry.ShouldBeNull("the portal says active, so the responder says good");
            }
        }
    }

    /// <summary>
    /// A PIN change and a suspension of one certificate, each with its own code, confirmed at the same moment (two tabs). Each
    /// change owns its own facts of the certificate: whatever the order, the portal and the CA's responder agree on the status,
    /// and the PIN that opens the key is the one the holder was last told. Before each wrote only its own facts, the PIN
    /// change wrote back the status it had read (the portal said active while the CA said on hold, and signed), or the
    /// suspension wrote back the key it had read (the holder was told the PIN changed, and the old one still worked).
    /// </summary>
    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task a_pin_change_and_a_suspension_confirmed_together_each_keep_what_they_told_the_holder()
    {
        const string NewPin = "97315862";
        var secret = app.Host.Services.GetRequiredService<MySign.Certificates.Custody.KeySecret>().Value;
        for (var round = 0; round < 6; round++)
        {
            var (client, holder) = await HolderWithCertificate();
            using var _ = client;
            await client.GetAsync("/pin");
            (await client.PostAsync("/pin", new() { ["current"] = Pin, ["new"] = NewPin, ["confirm"] = NewPin })).Status.ShouldBe(HttpStatusCode.OK);
            var pinCode = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
            await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
            await client.GetAsync("/certificate/suspend");
            var suspension = await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin });
            suspension.Status.ShouldBe(HttpStatusCode.OK, suspension.Text);
            var confirm = suspension.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
            var suspensionCode = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

            PortalClient.Page[] answers = [];
            await app.Host.ExecuteAndWaitAsync(async () => answers = await Task.WhenAll(
                client.PostAsync("/pin/confirm", new() { ["code"] = pinCode }), client.PostAsync(confirm, new() { ["code"] = suspensionCode })), 30_000);
            var (pinAnswer, suspensionAnswer) = (answers[0], answers[1]);
            var told = $"round {round}: PIN {(int)pinAnswer.Status}, suspension {(int)suspensionAnswer.Status}";
            answers.ShouldContain(a => a.Status == HttpStatusCode.OK, "at least one of them is done; " + told);

            var certificate = await Current(holder.Id);
            await using var session = app.Store.QuerySession();
            var onHold = await session.LoadAsync<MySign.TrustServices.Domain.RevocationEntry>(certificate.SerialNumber) is not null;
            certificate.Status.ShouldBe(onHold ? CertificateStatus.Suspended : CertificateStatus.Active, "the portal says what the responder says; " + told);
            if (suspensionAnswer.Status == HttpStatusCode.OK) certificate.Status.ShouldBe(CertificateStatus.Suspended, told);
            var pinChanged = pinAnswer.Status == HttpStatusCode.OK && pinAnswer.Text.Contains("Your signature PIN was changed");
            MySign.Certificates.Custody.KeyVault.Open(certificate.Key!, pinChanged ? NewPin : Pin, secret).ShouldNotBeNull($"the PIN the holder was told opens the key; {told}");
        }
    }

    /// <summary>
    /// A renewal's last step and a suspension confirmed at the same moment (two tabs). Whichever wins, a holder told the
    /// certificate is suspended has no active certificate, and the portal and the responder agree. Before the renewal held the
    /// certificate's lock while it issued, it replaced a certificate suspended meanwhile with a new, active one.
    /// </summary>
    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task a_renewal_and_a_suspension_confirmed_together_never_leave_active_what_the_holder_was_told_is_suspended()
    {
        const string NewPin = "73592846";
        for (var round = 0; round < 3; round++)
        {
            var holder = await Journeys.RegisteredAsync(app, "Rita", "F");
            await AppClock.DueInAMonthAsync(app.Store, app.ConnectionString, holder.UserId);
            var client = holder.Client;
            await client.GetAsync("/renewal");
            var id = (await client.PostAsync("/renewal", new() { ["path"] = "rao" })).Location!.Split('/').Last();
            await client.GetAsync($"/renewal/{id}");
            var consents = await client.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = holder.Pin });
            await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = await holder.Device.AnswerAsync(client, Journeys.ConfirmForm(consents)) });
            await client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = holder.RegisteredBy.Id, ["rao_password"] = holder.RegisteredBy.Password });
            var activate = await client.PostAsync($"/renewal/{id}/pin", new() { ["new_pin"] = NewPin, ["confirm_pin"] = NewPin });
            var renewalCode = await holder.Device.AnswerAsync(client, Journeys.ConfirmForm(activate));
            await Holders.OtpResendGapPassedAsync(app.Store, holder.UserId);
            await client.GetAsync("/certificate/suspend");
            var suspension = await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = holder.Pin });
            suspension.Status.ShouldBe(HttpStatusCode.OK, suspension.Text);
            var confirm = suspension.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
            var suspensionCode = await holder.Device.AnswerAsync(client, Journeys.ConfirmForm(suspension));
            var replaced = (await Current(holder.UserId)).CertificateId;

            PortalClient.Page[] answers = [];
            await app.Host.ExecuteAndWaitAsync(async () => answers = await Task.WhenAll(
                client.PostAsync($"/renewal/{id}/activate", new() { ["code"] = renewalCode }), client.PostAsync(confirm, new() { ["code"] = suspensionCode })), 30_000);
            var told = $"round {round}: renewal {(int)answers[0].Status} {(answers[0].Text.Contains("has been renewed") ? "renewed" : "not renewed")}, " +
                       $"suspension {(int)answers[1].Status}";

            var certificate = await Current(holder.UserId);
            await using var session = app.Store.QuerySession();
            var onHold = await session.LoadAsync<MySign.TrustServices.Domain.RevocationEntry>(certificate.SerialNumber) is not null;
            certificate.Status.ShouldBe(onHold ? CertificateStatus.Suspended : CertificateStatus.Active, "the portal says what the responder says; " + told);
            answers.ShouldContain(a => a.Status == HttpStatusCode.OK, "at least one of them is done; " + told);
            if (answers[1].Status == HttpStatusCode.OK) certificate.Status.ShouldBe(CertificateStatus.Suspended, "the holder was told it is suspended; " + told);
            (certificate.CertificateId != replaced).ShouldBe(answers[0].Text.Contains("has been renewed"), "renewed means the current certificate is the new one; " + told);
        }
    }

    [Fact]
    public async Task an_ocsp_answer_without_a_nonce_is_served_again_only_while_the_status_it_states_holds()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        using var openssl = new OpenSsl();
        await WriteTrustFilesAsync(client, openssl);
        (await openssl.RunAsync("ocsp", "-issuer", "issuing.pem", "-cert", "holder.pem", "-no_nonce", "-reqout", "req.der")).Exit.ShouldBe(0);
        // RFC 6960 A.1's GET form, as a browser or a validator with a cache asks: base64, then URL-encoded, in the path.
        var path = "/ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "req.der"))));
        async Task<(byte[] Bytes, string Status)> Ask()
        {
            var bytes = await client.Response(path);
            openssl.Write("resp.der", bytes);
            var (_, status) = await openssl.RunAsync("ocsp", "-respin", "resp.der", "-reqin", "req.der", "-issuer", "issuing.pem", "-cert", "holder.pem",
                "-CAfile", "root.pem", "-verify_other", "issuing.pem");
            status.ShouldContain("Response verify OK", customMessage: status);
            return (bytes, status);
        }

        var first = await Ask();
        first.Status.ShouldContain("holder.pem: good");
        (await Ask()).Bytes.ShouldBe(first.Bytes, "a pre-produced answer: the same status is not signed again within the reuse window");

        await ChangeStatus(client, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin });
        var held = await Ask();
        held.Status.ShouldContain("holder.pem: revoked", customMessage: "the very next answer after the suspension, not the pre-produced one");
        held.Status.ShouldContain("Reason: certificateHold");

        await ChangeStatus(client, holder, "reactivate", new() { ["pin"] = Pin });
        var again = await Ask();
        again.Status.ShouldContain("holder.pem: good");
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task pre_produced_ocsp_answers_racing_a_suspension_never_say_good_to_a_request_made_after_it()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        using var openssl = new OpenSsl();
        await WriteTrustFilesAsync(client, openssl);
        (await openssl.RunAsync("ocsp", "-issuer", "issuing.pem", "-cert", "holder.pem", "-no_nonce", "-reqout", "req.der")).Exit.ShouldBe(0);
        var path = "/ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "req.der"))));

        // Relying parties asking without a nonce, eight at a time, before, during and after the holder's suspension.
        var answers = new System.Collections.Concurrent.ConcurrentBag<(long Asked, bool Good)>();
        using var stop = new CancellationTokenSource();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var askers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            using var party = app.Client();
            while (!stop.IsCancellationRequested)
            {
                var asked = clock.ElapsedTicks;
                var response = new Org.BouncyCastle.Ocsp.OcspResp(await party.Response(path));
                var status = ((Org.BouncyCastle.Ocsp.BasicOcspResp)response.GetResponseObject()).Responses.Single().GetCertStatus();
                answers.Add((asked, status is null));
            }
        })).ToList();
        await Task.Delay(300);
        await ChangeStatus(client, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin });
        var committed = clock.ElapsedTicks;
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(askers);

        answers.Count(a => a.Asked < committed && a.Good).ShouldBeGreaterThan(0, "answers were kept and served before the suspension");
        var after = answers.Where(a => a.Asked > committed).ToList();
        after.Count.ShouldBeGreaterThan(0);
        after.Count(a => a.Good).ShouldBe(0, "a request made after the suspension committed is answered revoked, whatever answer was kept");
    }

    private static async Task<byte[]> Post(PortalClient client, string path, string contentType, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new(contentType);
        var answer = await client.SendAsync(request);
        answer.Status.ShouldBe(HttpStatusCode.OK, $"{(int)answer.Status} {answer.Text}");
        return await answer.Response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task the_time_stamp_authority_answers_an_openssl_query_with_a_token_openssl_verifies()
    {
        using var client = app.Client();
        using var openssl = new OpenSsl();
        openssl.Write("root.pem", (await client.GetAsync("/ca/root.pem")).Html);
        openssl.Write("issuing.pem", (await client.GetAsync("/ca/issuing.pem")).Html);
        openssl.Write("contract.txt", "Il sottoscritto dichiara di aver letto e accettato le condizioni.\n");
        (await openssl.RunAsync("ts", "-query", "-data", "contract.txt", "-sha256", "-cert", "-out", "q.tsq")).Exit.ShouldBe(0);
        var query = await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "q.tsq"));

        openssl.Write("r.tsr", await Post(client, "/tsa", "application/timestamp-query", query));
        var (_, reply) = await openssl.RunAsync("ts", "-reply", "-in", "r.tsr", "-text");
        reply.ShouldContain("Status: Granted.");
        reply.ShouldContain("Policy OID: 1.3.6.1.4.1.61999.1.2.1");
        reply.ShouldContain("Hash Algorithm: sha256");
        reply.ShouldMatch(@"Nonce: 0x[0-9A-F]+");
        reply.ShouldMatch(@"Accuracy: 0x01 seconds");
        var (exit, verified) = await openssl.RunAsync("ts", "-verify", "-queryfile", "q.tsq", "-in", "r.tsr", "-CAfile", "root.pem", "-untrusted", "issuing.pem");
        verified.ShouldContain("Verification: OK", customMessage: verified);
        exit.ShouldBe(0);
        // The token is about this document and no other.
        openssl.Write("other.txt", "something else");
        (await openssl.RunAsync("ts", "-verify", "-data", "other.txt", "-in", "r.tsr", "-CAfile", "root.pem", "-untrusted", "issuing.pem")).Output.ShouldNotContain("Verification: OK");

        // Every token has its own serial number (a PostgreSQL sequence: unique across nodes).
        openssl.Write("r2.tsr", await Post(client, "/tsa", "application/timestamp-query", query));
        string Serial(string text) => System.Text.RegularExpressions.Regex.Match(text, @"Serial number: (0x[0-9A-F]+)").Groups[1].Value;
        Serial((await openssl.RunAsync("ts", "-reply", "-in", "r2.tsr", "-text")).Output).ShouldNotBe(Serial(reply));

        // The TSA's certificate is for time-stamping only (critical extended key usage).
        var (_, tokenCerts) = await openssl.RunAsync("ts", "-reply", "-in", "r.tsr", "-token_out", "-out", "token.der");
        (await openssl.RunAsync("pkcs7", "-inform", "DER", "-in", "token.der", "-print_certs", "-out", "tsa.pem")).Exit.ShouldBe(0);
        var (_, tsaCert) = await openssl.RunAsync("x509", "-in", "tsa.pem", "-noout", "-text");
        tsaCert.ShouldContain("Time Stamping");
        tsaCert.ShouldMatch(@"Extended Key Usage: critical");

        openssl.Write("bad.tsr", await Post(client, "/tsa", "application/timestamp-query", "not a query"u8.ToArray()));
        (await openssl.RunAsync("ts", "-reply", "-in", "bad.tsr", "-text")).Output.ShouldContain("Status: Rejected");
    }

    /// <summary>RFC 6960 A.1's GET, as clients in the field send it: base64's "/" escaped (%2F), or left as it is.</summary>
    [Fact]
    public async Task an_ocsp_get_is_answered_whether_the_slashes_of_its_base64_are_escaped_or_not()
    {
        using var client = app.Client();
        using var openssl = new OpenSsl();
        await WriteTrustFilesAsync(client, openssl);
        string base64 = "", serial = "";
        for (var n = 1; !base64.Contains('/'); n++)
        {
            serial = $"0x{n:X6}";
            (await openssl.RunAsync("ocsp", "-issuer", "issuing.pem", "-serial", serial, "-no_nonce", "-reqout", "req.der")).Exit.ShouldBe(0);
            base64 = Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(openssl.Folder, "req.der")));
        }
        foreach (var path in new[] { "/ocsp/" + Uri.EscapeDataString(base64), "/ocsp/" + base64 })
        {
            var answer = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
            answer.Status.ShouldBe(HttpStatusCode.OK, path);
            answer.Response.Content.Headers.ContentType!.MediaType.ShouldBe("application/ocsp-response", path);
            openssl.Write("resp.der", await answer.Response.Content.ReadAsByteArrayAsync());
            var (_, read) = await openssl.RunAsync("ocsp", "-respin", "resp.der", "-issuer", "issuing.pem", "-serial", serial, "-CAfile", "root.pem", "-verify_other", "issuing.pem");
            read.ShouldContain("Response verify OK", customMessage: path);
            read.ShouldContain($"{serial}: unknown", customMessage: path);
        }
    }

    [Fact]
    public async Task the_ocsp_responder_answers_garbage_with_malformed_request_never_an_error_page()
    {
        using var client = app.Client();
        foreach (var body in new[] { Array.Empty<byte>(), "not asn.1"u8.ToArray(), new byte[] { 0x30, 0x82, 0xff, 0xff } })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/ocsp") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/ocsp-request");
            var answer = await client.SendAsync(request);
            answer.Status.ShouldBe(HttpStatusCode.OK, $"{(int)answer.Status} {answer.Text}");
            (await answer.Response.Content.ReadAsByteArrayAsync()).ShouldBe(new byte[] { 0x30, 0x03, 0x0a, 0x01, 0x01 }, "OCSPResponse { malformedRequest }");
        }
        (await client.GetAsync("/ocsp/%%%notbase64")).Status.ShouldBe(HttpStatusCode.OK);

        // Well-formed, but the certificate id is hashed with an algorithm nobody knows: a certificate we do not know.
        var certId = new Org.BouncyCastle.Asn1.Ocsp.CertID(new Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier(new Org.BouncyCastle.Asn1.DerObjectIdentifier("1.2.3.4.5")),
            new Org.BouncyCastle.Asn1.DerOctetString(new byte[20]), new Org.BouncyCastle.Asn1.DerOctetString(new byte[20]), Org.BouncyCastle.Asn1.DerInteger.ValueOf(1234));
        var tbs = new Org.BouncyCastle.Asn1.Ocsp.TbsRequest(null, new Org.BouncyCastle.Asn1.DerSequence(new Org.BouncyCastle.Asn1.Ocsp.Request(certId, null)), (Org.BouncyCastle.Asn1.X509.X509Extensions?)null);
        var odd = new HttpRequestMessage(HttpMethod.Post, "/ocsp") { Content = new ByteArrayContent(new Org.BouncyCastle.Asn1.Ocsp.OcspRequest(tbs, null).GetEncoded()) };
        odd.Content.Headers.ContentType = new("application/ocsp-request");
        var oddAnswer = await client.SendAsync(odd);
        oddAnswer.Status.ShouldBe(HttpStatusCode.OK, $"{(int)oddAnswer.Status} {oddAnswer.Text}");
        var parsed = new Org.BouncyCastle.Ocsp.OcspResp(await oddAnswer.Response.Content.ReadAsByteArrayAsync());
        parsed.Status.ShouldBe(Org.BouncyCastle.Ocsp.OcspRespStatus.Successful);
        ((Org.BouncyCastle.Ocsp.BasicOcspResp)parsed.GetResponseObject()).Responses.Single().GetCertStatus().ShouldBeOfType<Org.BouncyCastle.Ocsp.UnknownStatus>();
    }

    [Fact]
    public async Task a_suspension_is_certificate_hold_on_the_crl_and_reactivation_takes_it_off()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        using var openssl = new OpenSsl();
        var until = DateTime.UtcNow.AddDays(10).ToString("dd/MM/yyyy"); // as the field asks for it
        (await ChangeStatus(client, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin, ["until"] = until })).Text.ShouldContain("suspended");
        (await client.GetAsync("/portal/boxes/suspension", htmx: true)).Text.ShouldContain("Suspended");
        var held = await VerifyWithCrl(client, openssl);
        held.Output.ShouldContain("certificate revoked");
        (await openssl.RunAsync("crl", "-in", "crl.pem", "-noout", "-text")).Output.ShouldContain("Certificate Hold");

        (await ChangeStatus(client, holder, "reactivate", new() { ["pin"] = Pin })).Text.ShouldContain("active again");
        (await VerifyWithCrl(client, openssl)).Output.ShouldContain("holder.pem: OK");
    }

    [Fact]
    public async Task a_suspension_ends_by_itself_at_its_end_date()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        var until = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd");
        await ChangeStatus(client, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["pin"] = Pin, ["until"] = until });
        var certificate = await Current(holder.Id);
        certificate.Status.ShouldBe(CertificateStatus.Suspended);
        // What the scheduled message does when its time comes; a stale one (other date) changes nothing.
        await app.Host.InvokeMessageAndWaitAsync(new ReactivateAtEnd(holder.Id, certificate.CertificateId, certificate.SuspendedUntil!.Value.AddDays(1)));
        (await Current(holder.Id)).Status.ShouldBe(CertificateStatus.Suspended);
        await app.Host.InvokeMessageAndWaitAsync(new ReactivateAtEnd(holder.Id, certificate.CertificateId, certificate.SuspendedUntil!.Value));
        (await Current(holder.Id)).Status.ShouldBe(CertificateStatus.Active);
    }

    [Fact]
    public async Task past_its_end_a_certificate_reads_expired_with_no_one_acting_and_can_no_longer_sign_or_be_suspended()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        (await client.GetAsync("/portal/boxes/certificate")).Text.ShouldContain("Active");
        await using (var session = app.Store.LightweightSession())
        {
            var certificate = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
            certificate.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1); // the clock passed its end; nothing else changed
            session.Store(certificate);
            await session.SaveChangesAsync();
        }
        (await client.GetAsync("/portal/boxes/certificate")).Text.ShouldContain("Expired");
        var box = await client.GetAsync("/portal/boxes/suspension");
        box.Text.ShouldContain("Expired");
        box.Document.QuerySelector("a[href='/certificate/suspend']").ShouldBeNull();
        (await client.GetAsync("/certificate/suspend")).Status.ShouldBe(HttpStatusCode.NotFound);
        var sign = await client.PostAsync("/sign/otp", new());
        sign.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        sign.Text.ShouldContain("Only an active certificate can sign.");
    }

    [Fact]
    public async Task a_wrong_otp_or_pin_changes_nothing()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        var wrongPin = await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = "11223344" });
        wrongPin.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrongPin.Text.ShouldContain("The PIN is not correct");
        var otpPage = await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin });
        var confirm = otpPage.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
        (await client.PostAsync(confirm, new() { ["code"] = "00000000" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Current(holder.Id)).Status.ShouldBe(CertificateStatus.Active);
        // Someone else cannot confirm it.
        var other = await Holders.CreateAsync(app.Store);
        using var intruder = app.Client();
        await intruder.LoginAsync(other.Id, other.Password);
        await intruder.GetAsync("/");
        (await intruder.PostAsync(confirm, new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) })).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_suspension_code_that_did_not_come_is_sent_again_and_only_the_new_one_confirms()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        var otpPage = await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin });
        var confirm = otpPage.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
        var resend = otpPage.Document.QuerySelector($"form[action='{confirm}/resend']").ShouldNotBeNull("the code step offers Send new OTP").GetAttribute("action")!;
        var first = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

        var tooSoon = await client.PostAsync(resend, new());
        tooSoon.Status.ShouldBe((HttpStatusCode)429);
        tooSoon.Text.ShouldMatch(@"Please wait \d+ seconds before asking for a new OTP\.");
        tooSoon.Text.ShouldContain(holder.Phone[^3..], customMessage: "still says where the code went");
        tooSoon.Document.QuerySelector("#status-code")!.GetAttribute("aria-describedby")!.Split(' ').ShouldContain("status-error", "the wait is read out with the code field");
        // Someone else's request cannot be sent again (nor throttled: it reads as none).
        var other = await Holders.CreateAsync(app.Store);
        using var intruder = app.Client();
        await intruder.LoginAsync(other.Id, other.Password);
        await intruder.GetAsync("/");
        (await intruder.PostAsync(resend, new())).Status.ShouldBe(HttpStatusCode.NotFound);

        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        (await client.PostAsync(resend, new())).Status.ShouldBe(HttpStatusCode.OK);
        var second = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        second.ShouldNotBe(first);
        (await client.PostAsync(confirm, new() { ["code"] = first })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity, "the replaced code");
        (await client.PostAsync(confirm, new() { ["code"] = second })).Status.ShouldBe(HttpStatusCode.OK);
        (await Current(holder.Id)).Status.ShouldBe(CertificateStatus.Suspended);

        // The same confirmation from a second tab, or its "Send new OTP": the change is over, and the box says so (htmx
        // swaps a 409; a 404 it drops, and the tab used to stay on the code step in silence).
        foreach (var late in new[] { await client.PostAsync(confirm, new() { ["code"] = second }), await client.PostAsync(resend, new()) })
        {
            late.Status.ShouldBe(HttpStatusCode.Conflict);
            late.Document.QuerySelector("#status-error")!.TextContent.ShouldContain("no longer waiting for its code");
            late.Document.QuerySelector("#status-code").ShouldBeNull("no code step for a change that is over");
        }
    }

    [Fact]
    public async Task changing_the_pin_needs_the_otp_then_the_old_pin_fails_and_the_new_one_works()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        (await client.PostAsync("/pin", new() { ["current"] = Pin, ["new"] = "123456", ["confirm"] = "123456" })).Text.ShouldContain("too easy");
        var otp = await client.PostAsync("/pin", new() { ["current"] = Pin, ["new"] = "59371846", ["confirm"] = "59371846" });
        otp.Status.ShouldBe(HttpStatusCode.OK);
        var code = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        (await client.PostAsync("/pin/confirm", new() { ["code"] = "00000000" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin })).Status.ShouldBe(HttpStatusCode.OK, "the old PIN still works before the OTP");

        var done = await client.PostAsync("/pin/confirm", new() { ["code"] = code });
        done.Text.ShouldContain("the old PIN no longer works");
        (await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin })).Text.ShouldContain("The PIN is not correct");
        (await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = "59371846" })).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task after_a_wrong_otp_the_pin_step_still_says_where_the_code_went_and_offers_resend_and_cancel()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        await client.GetAsync("/pin");
        var otp = await client.PostAsync("/pin", new() { ["current"] = Pin, ["new"] = "59371846", ["confirm"] = "59371846" });
        var destination = holder.Phone[^3..];
        otp.Text.ShouldContain(destination);
        var wrong = await client.PostAsync("/pin/confirm", new() { ["code"] = "00000000" });
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrong.Text.ShouldContain(destination, customMessage: "not 'sent to to confirm'");
        wrong.Document.QuerySelector("form[action='/pin/resend']").ShouldNotBeNull();
        var tooSoon = await client.PostAsync("/pin/resend", new());
        tooSoon.Status.ShouldBe((HttpStatusCode)429, "30 s between codes");
        tooSoon.Text.ShouldMatch(@"Please wait \d+ seconds before asking for a new OTP\.", "how long, on the page that asked");
        tooSoon.Document.QuerySelector("#pin-code")!.GetAttribute("aria-describedby")!.Split(' ').ShouldContain("pin-error", "the wait is read out with the code field");
        var cancelled = await client.PostAsync("/pin/cancel", new());
        cancelled.Document.QuerySelector("#pin-current").ShouldNotBeNull("back to the form");
        (await client.PostAsync("/pin/confirm", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) }))
            .Text.ShouldNotContain("the old PIN no longer works", customMessage: "a cancelled change cannot be confirmed");
        (await Current(holder.Id)).PendingKey.ShouldBeNull();
    }

    [Fact]
    public async Task five_wrong_pins_block_the_pin()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        for (var i = 0; i < 4; i++)
            (await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = "13572468" })).Text.ShouldContain("The PIN is not correct");
        (await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = "13572468" })).Text.ShouldContain("blocked");
        (await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin })).Text.ShouldContain("blocked", customMessage: "even the right PIN");
        (await client.GetAsync("/portal/boxes/pin", htmx: true)).Text.ShouldContain("Your PIN is blocked");
        (await Holders.WrongPinsAsync(app.Store, holder.Id)).ShouldBe(5);
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task forty_parallel_wrong_pins_on_the_suspend_form_count_exactly_five()
    {
        var (client, holder) = await HolderWithCertificate();
        using var _c = client;
        await client.GetAsync("/certificate/suspend");
        var pages = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = "13572468" })));
        pages.Count(p => p.Text.Contains("The PIN is not correct")).ShouldBe(4);
        pages.Count(p => p.Text.Contains("Your PIN is blocked")).ShouldBe(36);
        (await Holders.WrongPinsAsync(app.Store, holder.Id)).ShouldBe(5);
        (await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin })).Text.ShouldContain("blocked");
    }

    [Fact]
    public async Task no_private_key_is_stored_in_clear()
    {
        await HolderWithCertificate();
        await using var session = app.Store.QuerySession();
        var certificates = await session.Query<HolderCertificate>().ToListAsync();
        certificates.ShouldNotBeEmpty();
        foreach (var blob in certificates.Where(c => c.Key is not null).SelectMany(c => new[] { c.Key!.Ciphertext, c.Key.Salt, c.Key.Nonce, c.Key.Tag }))
            ShouldNotLoadAsKey(blob);
        // The CA's certificates only: every key is in a token (the root's in its own), named by its label.
        var authorities = await session.Query<AuthorityKey>().ToListAsync();
        authorities.Select(a => a.Id).ShouldContain(AuthorityKey.Issuing);
        foreach (var authority in authorities)
        {
            authority.ProtectedKey.ShouldBeNull(authority.Id);
            (authority.KeyLabel is null).ShouldBe(authority.Id == AuthorityKey.Root, authority.Id);
        }
    }

    private static void ShouldNotLoadAsKey(byte[] blob)
    {
        using var ec = ECDsa.Create();
        Should.Throw<Exception>(() => ec.ImportPkcs8PrivateKey(blob, out _));
        Should.Throw<Exception>(() => ec.ImportECPrivateKey(blob, out _));
        using var rsa = RSA.Create();
        Should.Throw<Exception>(() => rsa.ImportPkcs8PrivateKey(blob, out _));
    }
}
