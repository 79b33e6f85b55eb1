using Marten;
using Marten.Patching;
using Microsoft.Extensions.DependencyInjection;
using MySign.Accounts.Domain;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Otp.Contracts;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Rao;

/// <summary>
/// The RAO desk for a holder in trouble, after an identity document is checked: a lost OTP phone (the old one stops at
/// once, the holder registers a new one from the recovery e-mail's link, the next OTP goes there) and a blocked PIN the
/// holder still knows (five attempts again). Each step is audited with operator and office and mailed to the holder.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class RaoDeskTests(AppFixture app)
{
    private static readonly string Expiry = DateTime.UtcNow.AddYears(3).ToString("dd/MM/yyyy");

    private async Task<(PortalClient Rao, TestOperator Operator, TestHolder Holder)> DeskAsync()
    {
        var (rao, op, holder) = await Desk.OfficeHolderAsync(app);
        await rao.GetAsync($"/rao/holders/{holder.Id}");
        return (rao, op, holder);
    }

    private async Task<T> Ask<T>(object request)
    {
        using var scope = app.Host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<T>(request);
    }

    private readonly Dictionary<Guid, string> _contexts = [];

    /// <summary>An OTP for some operation of the holder's (each its own context, so no resend spacing applies).</summary>
    private async Task<OtpIssued> Issue(string holder)
    {
        var context = "desk-test-" + Guid.NewGuid();
        var issued = await Ask<OtpIssued>(new IssueOtp(holder, "pin.change", context));
        _contexts[issued.ChallengeId] = context;
        return issued;
    }

    private Task<OtpVerified> Verify(string holder, OtpIssued issued, string code) =>
        Ask<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder, "pin.change", _contexts[issued.ChallengeId], code));

    [Fact]
    public async Task a_lost_phone_stops_at_once_and_the_holder_registers_a_new_one_from_the_recovery_mail()
    {
        var (rao, op, holder) = await DeskAsync();
        // An operator of another office cannot even see this holder, let alone reset them.
        var elsewhere = await Operators.CreateAsync(app.Store);
        using (var other = app.Client())
        {
            (await Operators.SignInAsync(other, app.Store, elsewhere)).Location.ShouldBe("/rao");
            (await other.GetAsync($"/rao/holders/{holder.Id}")).Status.ShouldBe(HttpStatusCode.NotFound);
            await other.GetAsync("/rao");
            (await other.PostAsync($"/rao/holders/{holder.Id}/desk/reset-otp", new() { ["doc_type"] = "passport", ["doc_number"] = "YA1234567", ["doc_expiry"] = Expiry }))
                .Status.ShouldBe(HttpStatusCode.NotFound);
        }
        var before = await Issue(holder.Id);
        var oldCode = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

        // An expired document: nothing happens, the operator reads why beside the field, what was typed stays.
        var expired = await rao.PostAsync($"/rao/holders/{holder.Id}/desk/reset-otp", new() { ["doc_type"] = "passport", ["doc_number"] = "YA1234567", ["doc_expiry"] = "01/01/2020" });
        expired.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        expired.Document.QuerySelector("#desk-doc-expiry-error").ShouldNotBeNull();
        expired.Document.QuerySelector("#desk-doc-number")!.GetAttribute("value").ShouldBe("YA1234567");
        (await Issue(holder.Id)).Throttled.ShouldBeFalse("nothing was reset");
        // The form sent without one of its buttons (a script's submit): it asks which action, and records nothing.
        var unchosen = await rao.PostAsync($"/rao/holders/{holder.Id}/desk", new() { ["doc_type"] = "passport", ["doc_number"] = "YA1234567", ["doc_expiry"] = Expiry });
        unchosen.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        unchosen.Document.QuerySelector("#desk-action-error")!.TextContent.ShouldContain("nothing was recorded");
        unchosen.Document.QuerySelector("#desk-doc-number")!.GetAttribute("value").ShouldBe("YA1234567");
        await using (var session = app.Store.QuerySession())
            (await session.Query<MySign.Accounts.Domain.IdentityCheck>().CountAsync(c => c.HolderId == holder.Id)).ShouldBe(0);

        PortalClient.Page done = null!;
        await app.Host.ExecuteAndWaitAsync(async () => done = await rao.PostAsync($"/rao/holders/{holder.Id}/desk/reset-otp",
            new() { ["doc_type"] = "passport", ["doc_number"] = "YA1234567", ["doc_expiry"] = Expiry }), 30_000);
        done.Status.ShouldBe(HttpStatusCode.Redirect, done.Text);
        // Post, redirect, get: reloading the page the operator lands on shows it again and never repeats the action.
        done = await rao.GetAsync(done.Location!);
        done.Document.QuerySelector("#desk-done")!.TextContent.ShouldContain("no longer works");
        (await rao.GetAsync(done.Response.RequestMessage!.RequestUri!.PathAndQuery)).Document.QuerySelector("#desk-done").ShouldNotBeNull();
        await using (var checks = app.Store.QuerySession())
            (await checks.Query<MySign.Accounts.Domain.IdentityCheck>().CountAsync(c => c.HolderId == holder.Id)).ShouldBe(1, "a reload repeats nothing");
        done.Document.QuerySelectorAll(".trail li").Select(li => li.TextContent).ShouldContain(t => t.Contains("Identity document checked") && t.Contains(op.Id));

        // The old phone is dead at once: its open code and any new one.
        (await Verify(holder.Id, before, oldCode)).IsValid.ShouldBeFalse();
        var refused = await Issue(holder.Id);
        refused.Throttled.ShouldBeTrue();
        refused.Wait!.ShouldContain("being reset at your RAO office");

        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: register your new OTP phone");
        using var mailbox = app.Client();
        var link = MailLinks.Click(mail, "/otp-reset");
        var page = await mailbox.GetAsync(link);
        page.Status.ShouldBe(HttpStatusCode.OK);
        var token = page.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        (await mailbox.PostAsync("/otp-reset", new() { ["token"] = token, ["mobile"] = "12" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        const string newPhone = "+393398765432";
        var sent = await mailbox.PostAsync("/otp-reset", new() { ["token"] = token, ["mobile"] = "+39 339 876 5432" });
        sent.Text.ShouldContain("We sent a code", customMessage: sent.Document.QuerySelector("main")?.TextContent);
        var confirmed = await mailbox.PostAsync("/otp-reset/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(app.Store, newPhone) });
        confirmed.Document.QuerySelector("#otp-reset-done")!.TextContent.ShouldContain("432");

        // From now on the codes go to the new phone, and they work.
        var after = await Issue(holder.Id);
        after.Throttled.ShouldBeFalse();
        (await Verify(holder.Id, after, await Holders.LastSmsCodeAsync(app.Store, newPhone))).IsValid.ShouldBeTrue();
        (await Holders.SmsToAsync(app.Store, holder.Phone)).Count.ShouldBe(2, "the old phone got the two codes sent before the reset and nothing after");
        (await mailbox.GetAsync(link)).Status.ShouldBe(HttpStatusCode.Gone, "the link works once");
        await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your new OTP phone is registered");
    }

    [Fact]
    public async Task a_blocked_pin_the_holder_still_knows_is_unblocked_after_the_identity_check()
    {
        var (rao, op, holder) = await DeskAsync();
        await IssueAsync(holder);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/certificate/suspend");
        async Task<string> WrongPin() => (await portal.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = "13572468" })).Text;
        for (var i = 0; i < 5; i++) await WrongPin();
        (await portal.GetAsync("/portal/boxes/pin", htmx: true)).Text.ShouldContain("your RAO office unblocks it after checking your identity document");

        await app.Host.ExecuteAndWaitAsync(async () => await rao.PostAsync($"/rao/holders/{holder.Id}/desk/unblock-pin",
            new() { ["doc_type"] = "identity_card", ["doc_number"] = "CA12345AB", ["doc_expiry"] = Expiry }), 30_000);
        (await Holders.WrongPinsAsync(app.Store, holder.Id)).ShouldBe(0);
        (await portal.GetAsync("/portal/boxes/pin", htmx: true)).Text.ShouldContain("5");
        // The desk gives the PIN five tries again, no more.
        await portal.GetAsync("/certificate/suspend");
        for (var i = 4; i > 0; i--) (await WrongPin()).ShouldContain(i == 1 ? "one attempt left" : $"{i} attempts left");
        (await WrongPin()).ShouldContain("Your PIN is blocked");
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your signature PIN was unblocked");
        mail.TextBody!.ShouldContain(op.Office);
        await using (var session = app.Store.QuerySession())
            (await session.Query<MySign.Accounts.Domain.IdentityCheck>().Where(c => c.HolderId == holder.Id).SingleAsync()).Operator.ShouldBe(op.Id);
    }

    [Fact]
    public async Task a_pin_that_is_not_blocked_or_not_there_is_not_unblocked_and_nothing_is_recorded()
    {
        var (rao, _, holder) = await DeskAsync();
        Task Refused(string said) => RefusedAsync(rao, holder.Id, "unblock-pin", said);
        await Refused("The holder has no signature certificate: there is no PIN to unblock or replace.");

        await IssueAsync(holder);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/certificate/suspend");
        for (var i = 0; i < 2; i++) await portal.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = "13572468" });
        await Refused("The PIN is not blocked: the holder can still use it, so there is nothing to unblock.");

        (await Holders.WrongPinsAsync(app.Store, holder.Id)).ShouldBe(2, "a PIN still working keeps its count");
        await NothingRecordedAsync(holder, "MySign: your signature PIN was unblocked");
    }

    [Fact]
    public async Task a_forgotten_pin_gets_a_new_certificate_for_the_rest_of_the_validity_without_a_purchase_and_the_old_one_is_superseded()
    {
        var (rao, _, holder) = await DeskAsync();
        await IssueAsync(holder);
        HolderCertificate old;
        await using (var session = app.Store.QuerySession()) old = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        using var openssl = new OpenSsl();
        openssl.Write("old.pem", (await portal.GetAsync("/certificate/download/pem")).Html);

        var (mailbox, link, token) = await NewPinLinkAsync(rao, holder);
        using var _ = mailbox;
        var weak = await mailbox.PostAsync("/new-pin", new() { ["token"] = token, ["pin"] = "11111111", ["pin_confirm"] = "11111111" });
        weak.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        weak.Document.QuerySelector("#new-pin-pin-error").ShouldNotBeNull();
        var done = await ChooseNewPinAsync(mailbox, holder, token, "58203916");
        done.Status.ShouldBe(HttpStatusCode.OK);
        done.Document.QuerySelector("#new-pin-done")!.TextContent.ShouldContain("is active under your new PIN");

        HolderCertificate renewed;
        await using (var session = app.Store.QuerySession())
        {
            renewed = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
            (await session.Query<MySign.Billing.Domain.Order>().Where(o => o.HolderId == holder.Id).CountAsync()).ShouldBe(0, "no purchase");
        }
        renewed.CertificateId.ShouldNotBe(old.CertificateId);
        renewed.ExpiresAt.ShouldBe(old.ExpiresAt, TimeSpan.FromSeconds(1), "the rest of the old validity, no more");
        await using (var session = app.Store.LightweightSession())
            (await app.Host.Services.GetRequiredService<MySign.Certificates.Custody.SignatureActivation>()
                .CheckPinAsync(renewed, "58203916", MySign.Certificates.Custody.Door.StatusChange, session, CancellationToken.None)).Result
                .ShouldBe(MySign.Certificates.Custody.PinResult.Ok);

        // openssl: the old certificate is revoked (superseded) on the CRL, the new one verifies.
        openssl.Write("root.pem", (await portal.GetAsync("/ca/root.pem")).Html);
        openssl.Write("issuing.pem", (await portal.GetAsync("/ca/issuing.pem")).Html);
        await portal.LoginAsync(holder.Id, holder.Password);
        openssl.Write("new.pem", (await portal.GetAsync("/certificate/download/pem")).Html);
        openssl.Write("crl.der", await portal.Response("/crl/issuing.crl"));
        (await openssl.RunAsync("crl", "-inform", "DER", "-in", "crl.der", "-out", "crl.pem")).Exit.ShouldBe(0);
        (await openssl.RunAsync("crl", "-in", "crl.pem", "-noout", "-text")).Output.ShouldContain("Superseded");
        (await openssl.RunAsync("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-CRLfile", "crl.pem", "old.pem")).Output.ShouldContain("certificate revoked");
        (await openssl.RunAsync("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-CRLfile", "crl.pem", "new.pem")).Output.ShouldContain("new.pem: OK");
        var used = await mailbox.GetAsync(link);
        used.Status.ShouldBe(HttpStatusCode.Gone, "the link works once");
        used.Document.QuerySelector("#new-pin a[href='/']").ShouldNotBeNull("a used link's page leads on");
    }

    /// <summary>
    /// A suspension is the holder's choice (or their emergency code's): a new PIN at the desk does not end it. The new
    /// certificate is suspended from its first moment, for the CA's responder too, and the holder is told so; the new PIN
    /// and an OTP reactivate it from the portal, as any suspension.
    /// </summary>
    [Fact]
    public async Task a_forgotten_pin_of_a_suspended_certificate_gives_a_new_one_that_stays_suspended_until_the_holder_reactivates_it()
    {
        var (rao, _, holder) = await DeskAsync();
        await IssueAsync(holder);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = "19283746" }))
            .Status.ShouldBe(HttpStatusCode.OK);

        var (mailbox, _, token) = await NewPinLinkAsync(rao, holder);
        using (mailbox)
        {
            var done = await ChooseNewPinAsync(mailbox, holder, token, "58203916");
            done.Status.ShouldBe(HttpStatusCode.OK);
            done.Document.QuerySelector("#new-pin-done")!.TextContent.ShouldContain("It is suspended, as the previous one was");
        }
        HolderCertificate renewed;
        await using (var session = app.Store.QuerySession()) renewed = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
        (renewed.Status, renewed.StatusReason).ShouldBe((CertificateStatus.Suspended, "lostDevice"));
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your new certificate is ready but stays suspended");
        mail.TextBody!.ShouldContain(renewed.UniqueIdentifier);

        await portal.LoginAsync(holder.Id, holder.Password);
        (await portal.GetAsync("/")).Document.QuerySelector("#box-certificate")!.TextContent.ShouldContain("Suspended");
        using var openssl = new OpenSsl();
        openssl.Write("root.pem", (await portal.GetAsync("/ca/root.pem")).Html);
        openssl.Write("issuing.pem", (await portal.GetAsync("/ca/issuing.pem")).Html);
        openssl.Write("new.pem", (await portal.GetAsync("/certificate/download/pem")).Html);
        var held = await OcspRequests.AskAsync(portal, openssl, "-cert", "new.pem");
        held.ShouldContain("new.pem: revoked", customMessage: "the CA's responder holds the new certificate before the holder can have it");
        held.ShouldContain("Reason: certificateHold");

        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "reactivate", new() { ["pin"] = "58203916" })).Status.ShouldBe(HttpStatusCode.OK);
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        (await OcspRequests.AskAsync(portal, openssl, "-cert", "new.pem")).ShouldContain("new.pem: good", customMessage: "reactivated with the new PIN and an OTP");
    }

    [Fact]
    public async Task a_forgotten_pin_is_not_started_for_a_holder_without_a_certificate_in_use_and_nothing_is_recorded()
    {
        var (rao, _, holder) = await DeskAsync();
        Task Refused(string said) => RefusedAsync(rao, holder.Id, "forgotten-pin", said);
        await Refused("The holder has no signature certificate");

        await IssueAsync(holder);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "revoke", new() { ["reason"] = "keyCompromise", ["pin"] = "19283746", ["understood"] = "yes" }))
            .Status.ShouldBe(HttpStatusCode.OK);
        await Refused("The holder's certificate is revoked or expired");

        await NothingRecordedAsync(holder, "MySign: choose your new signature PIN");
    }

    /// <summary>The link was mailed while the certificate was in use; the holder revoked it before using the link.</summary>
    [Fact]
    public async Task a_new_pin_link_for_a_certificate_revoked_meanwhile_says_so_and_issues_nothing()
    {
        var (rao, _, holder) = await DeskAsync();
        await IssueAsync(holder);
        var (mailbox, link, token) = await NewPinLinkAsync(rao, holder);
        using var _ = mailbox;
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "revoke", new() { ["reason"] = "cessationOfOperation", ["pin"] = "19283746", ["understood"] = "yes" }))
            .Status.ShouldBe(HttpStatusCode.OK);
        HolderCertificate revoked;
        await using (var session = app.Store.QuerySession()) revoked = (await session.LoadAsync<HolderCertificate>(holder.Id))!;

        var page = await ChooseNewPinAsync(mailbox, holder, token, "58203916");
        page.Status.ShouldBe(HttpStatusCode.Conflict);
        page.Document.QuerySelector("#new-pin-error")!.TextContent.ShouldContain("revoked or has expired");
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<HolderCertificate>(holder.Id))!.CertificateId.ShouldBe(revoked.CertificateId, "no new certificate");
        (await mailbox.GetAsync(link)).Status.ShouldBe(HttpStatusCode.Gone, "the link is spent: it can do nothing any more");
    }

    /// <summary>A holder of the desk's office whose certificate they suspended from the portal until three days from now; their signed-in portal.</summary>
    private async Task<(PortalClient Rao, TestHolder Holder, PortalClient Portal)> SuspendedUntilLaterAsync()
    {
        var (rao, _, holder) = await DeskAsync();
        await IssueAsync(holder);
        var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        var later = DateTimeOffset.UtcNow.AddDays(3).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["until"] = later, ["pin"] = "19283746" }))
            .Status.ShouldBe(HttpStatusCode.OK);
        return (rao, holder, portal);
    }

    /// <summary>A suspension with an end date keeps its date on the new certificate: the old certificate's end does nothing, the new one's reactivates it.</summary>
    [Fact]
    public async Task a_dated_suspension_carried_to_the_new_certificate_still_ends_on_its_date()
    {
        var (rao, holder, portal) = await SuspendedUntilLaterAsync();
        using var _ = portal;
        HolderCertificate old, renewed;
        await using (var session = app.Store.QuerySession()) old = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
        var (mailbox, _, token) = await NewPinLinkAsync(rao, holder);
        using (mailbox) (await ChooseNewPinAsync(mailbox, holder, token, "58203916")).Status.ShouldBe(HttpStatusCode.OK);
        await using (var session = app.Store.QuerySession()) renewed = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
        (renewed.Status, renewed.SuspendedUntil).ShouldBe((CertificateStatus.Suspended, old.SuspendedUntil));

        await app.Host.InvokeMessageAndWaitAsync(new MySign.Certificates.Status.ReactivateAtEnd(holder.Id, old.CertificateId, old.SuspendedUntil!.Value));
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<HolderCertificate>(holder.Id))!.Status.ShouldBe(CertificateStatus.Suspended, "the old certificate's end is not the new one's");
        await app.Host.InvokeMessageAndWaitAsync(new MySign.Certificates.Status.ReactivateAtEnd(holder.Id, renewed.CertificateId, renewed.SuspendedUntil!.Value));
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<HolderCertificate>(holder.Id))!.Status.ShouldBe(CertificateStatus.Active, "the date the holder chose ends the new certificate's suspension");
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        using var openssl = new OpenSsl();
        openssl.Write("root.pem", (await portal.GetAsync("/ca/root.pem")).Html);
        openssl.Write("issuing.pem", (await portal.GetAsync("/ca/issuing.pem")).Html);
        await portal.LoginAsync(holder.Id, holder.Password);
        openssl.Write("new.pem", (await portal.GetAsync("/certificate/download/pem")).Html);
        (await OcspRequests.AskAsync(portal, openssl, "-cert", "new.pem")).ShouldContain("new.pem: good", customMessage: "the CA took the hold off with it");
    }

    /// <summary>The suspension's end date has come but its reactivation has not run yet (a queue behind): it is over, and so is the hold.</summary>
    [Fact]
    public async Task a_new_pin_after_the_end_date_of_the_suspension_gives_an_active_certificate()
    {
        var (rao, holder, portal) = await SuspendedUntilLaterAsync();
        using var _ = portal;
        await using (var session = app.Store.LightweightSession())
        {
            session.Patch<HolderCertificate>(holder.Id).Set(c => c.SuspendedUntil, DateTimeOffset.UtcNow.AddMinutes(-1));
            await session.SaveChangesAsync();
        }

        var (mailbox, _, token) = await NewPinLinkAsync(rao, holder);
        using (mailbox)
            (await ChooseNewPinAsync(mailbox, holder, token, "58203916")).Document.QuerySelector("#new-pin-done")!.TextContent.ShouldContain("is active under your new PIN");
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<HolderCertificate>(holder.Id))!.Status.ShouldBe(CertificateStatus.Active);
    }

    /// <summary>
    /// Two desk submissions for one holder at the same moment (two operators of the office, or a double click in two tabs):
    /// one live link is left, not two (each would have worked; an outside probe saw two in 8 rounds of 10). The later one
    /// replaces the earlier, as a resubmission does.
    /// </summary>
    [Fact]
    public async Task two_desk_submissions_at_the_same_moment_leave_one_live_link()
    {
        var rounds = new List<int>();
        for (var round = 0; round < 6; round++)
        {
            var (rao, op, holder) = await DeskAsync();
            using var _ = rao;
            using var otherTab = app.Client();
            (await Operators.SignInAsync(otherTab, app.Store, op)).Location.ShouldBe("/rao");
            await otherTab.GetAsync($"/rao/holders/{holder.Id}");
            var check = new Dictionary<string, string> { ["doc_type"] = "driving_licence", ["doc_number"] = "U1X2Y3Z4W", ["doc_expiry"] = Expiry };
            var answers = await Task.WhenAll(Task.Run(() => rao.PostAsync($"/rao/holders/{holder.Id}/desk/reset-otp", check)),
                Task.Run(() => otherTab.PostAsync($"/rao/holders/{holder.Id}/desk/reset-otp", check)));
            answers.ShouldAllBe(a => a.Status == HttpStatusCode.Redirect, "both were accepted");
            await using var session = app.Store.QuerySession();
            rounds.Add(await session.Query<AccountToken>().CountAsync(t => t.HolderId == holder.Id && t.Kind == "otp_reset" && !t.Used));
        }
        rounds.ShouldAllBe(live => live == 1, "live links per round: " + string.Join(", ", rounds));
    }

    /// <summary>A certificate for the holder, under the PIN 19283746.</summary>
    private Task<CertificateIssued> IssueAsync(TestHolder holder) => Ask<CertificateIssued>(new IssueCertificate(holder.Id, "Bruno", "Gatti", "GTTBRN70A01H501Z", "19283746"));

    /// <summary>A refused desk action left no identity check and sent the holder no mail with this subject.</summary>
    private async Task NothingRecordedAsync(TestHolder holder, string subject)
    {
        await using (var session = app.Store.QuerySession())
            (await session.Query<MySign.Accounts.Domain.IdentityCheck>().CountAsync(c => c.HolderId == holder.Id)).ShouldBe(0, "nothing was recorded");
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        app.Smtp.Messages().ShouldNotContain(m => m.To.ToString().Contains(holder.Email) && m.Subject == subject);
    }

    /// <summary>The desk refuses <paramref name="action"/> next to its buttons: 422, why, and what the operator typed kept.</summary>
    private static async Task RefusedAsync(PortalClient rao, string holderId, string action, string said)
    {
        var page = await rao.PostAsync($"/rao/holders/{holderId}/desk/{action}",
            new() { ["doc_type"] = "identity_card", ["doc_number"] = "CA12345AB", ["doc_expiry"] = Expiry });
        page.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        page.Text.ShouldContain(said);
        page.Document.QuerySelector("input[name=doc_number]")!.GetAttribute("value").ShouldBe("CA12345AB", "what the operator typed is kept");
    }

    /// <summary>The desk starts a forgotten-PIN recovery; the holder opens the mailed link. The mailbox's client, the link and its token.</summary>
    private async Task<(PortalClient Mailbox, string Link, string Token)> NewPinLinkAsync(PortalClient rao, TestHolder holder)
    {
        (await rao.PostAsync($"/rao/holders/{holder.Id}/desk/forgotten-pin", new() { ["doc_type"] = "driving_licence", ["doc_number"] = "U1X2Y3Z4W", ["doc_expiry"] = Expiry }))
            .Status.ShouldBe(HttpStatusCode.Redirect, "the desk accepted the check and went back to the holder's page");
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: choose your new signature PIN");
        var mailbox = app.Client();
        var link = MailLinks.Click(mail, "/new-pin");
        var page = await mailbox.GetAsync(link);
        return (mailbox, link, page.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!);
    }

    /// <summary>The new PIN twice, then the OTP; the page the confirmation answers, once everything it set in motion is done.</summary>
    private async Task<PortalClient.Page> ChooseNewPinAsync(PortalClient mailbox, TestHolder holder, string token, string pin)
    {
        (await mailbox.PostAsync("/new-pin", new() { ["token"] = token, ["pin"] = pin, ["pin_confirm"] = pin })).Status.ShouldBe(HttpStatusCode.OK);
        PortalClient.Page done = null!;
        await app.Host.ExecuteAndWaitAsync(async () => done = await mailbox.PostAsync("/new-pin/confirm",
            new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) }), 30_000);
        return done;
    }
}
