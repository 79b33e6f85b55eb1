using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>
/// Emergency suspension: a code made once (PIN), shown only until the holder keeps it; with the User ID it suspends the
/// certificate from a page anyone can open — no session, no PIN, no OTP — and the CRL says certificateHold. Five wrong
/// codes close that door for the User ID for the day, whoever typed them and however fast.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class EmergencySuspensionTests(AppFixture app)
{
    private const string Pin = "86429753";

    [GeneratedRegex("[3-9A-Y]{4}-[3-9A-Y]{4}-[3-9A-Y]{4}-[3-9A-Y]{4}")]
    private static partial Regex CodeShape();

    private async Task<(PortalClient Portal, TestHolder Holder)> HolderAsync()
    {
        var holder = await Holders.CreateAsync(app.Store, "Elena", "Fabbri");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Elena", "Fabbri", "FBBLNE75D41H501V", Pin));
        var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/");
        return (portal, holder);
    }

    private async Task<string> CreateCodeAsync(PortalClient portal)
    {
        var made = await portal.PostAsync("/certificate/emergency-code", new() { ["pin"] = Pin });
        made.Status.ShouldBe(HttpStatusCode.OK);
        return CodeShape().Match(made.Document.QuerySelector("#emergency-code")!.TextContent).Value;
    }

    /// <summary>Suspended from the portal until three days from now; the certificate as it then is.</summary>
    private async Task<HolderCertificate> SuspendedUntilLaterAsync(PortalClient portal, TestHolder holder)
    {
        var later = DateTimeOffset.UtcNow.AddDays(3).ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["until"] = later, ["pin"] = Pin }))
            .Status.ShouldBe(HttpStatusCode.OK);
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<HolderCertificate>(holder.Id))!;
    }

    private async Task<CertificateStatus> StatusOf(string holder)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<HolderCertificate>(holder))!.Status;
    }

    private async Task<PortalClient.Page> Door(PortalClient anyone, string userId, string code)
    {
        await anyone.GetAsync("/emergency");
        return await anyone.PostAsync("/emergency", new() { ["user_id"] = userId, ["code"] = code });
    }

    [Fact]
    public async Task a_code_made_with_the_pin_is_shown_until_kept_and_suspends_the_certificate_from_the_door_without_pin_or_otp()
    {
        var (portal, holder) = await HolderAsync();
        var box = await portal.GetAsync("/portal/boxes/suspension", htmx: true);
        box.Text.ShouldContain("You have no emergency code yet");
        var wrongPin = await portal.PostAsync("/certificate/emergency-code", new() { ["pin"] = "11223344" });
        wrongPin.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrongPin.Document.QuerySelector("#emergency-error").ShouldNotBeNull();
        wrongPin.Document.QuerySelector("#emergency-code").ShouldBeNull();

        var code = await CreateCodeAsync(portal);
        code.Length.ShouldBe(19);
        (await portal.GetAsync("/")).Document.QuerySelector("#emergency-code")!.TextContent.ShouldContain(code, customMessage: "the home page keeps showing it until it is kept");
        await portal.PostAsync("/certificate/emergency-code/kept", new());
        var kept = await portal.GetAsync("/");
        kept.Document.QuerySelector("#emergency-code").ShouldBeNull();
        kept.Text.ShouldNotContain(code);
        kept.Text.ShouldContain("You have an emergency code");

        // The door: a stranger's browser, no session. A wrong code and an unknown User ID read the same.
        using var anyone = app.Client();
        var wrong = await Door(anyone, holder.Id, "3333-4444-6666-7777");
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrong.Document.QuerySelector("#emergency-user")!.GetAttribute("value").ShouldBe(holder.Id, "what was typed is kept");
        wrong.Document.QuerySelector("#emergency-code-input")!.HasAttribute("autofocus").ShouldBeTrue("the focus is back on the code to type again");
        var unknown = await Door(anyone, "nobody" + Guid.NewGuid().ToString("N")[..6], code);
        unknown.Document.QuerySelector("#emergency-error")!.TextContent.ShouldBe(wrong.Document.QuerySelector("#emergency-error")!.TextContent);
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Active);

        // Typed as people type it: lower case, no dashes. Suspended at once; the CRL says certificateHold.
        PortalClient.Page done = null!;
        await app.Host.ExecuteAndWaitAsync(async () => done = await Door(anyone, holder.Id.ToUpperInvariant(), code.Replace("-", "").ToLowerInvariant()), 30_000);
        done.Status.ShouldBe(HttpStatusCode.OK, done.Text);
        done.Document.QuerySelector("#emergency-done")!.TextContent.ShouldContain("suspended");
        done.Document.QuerySelector("h1")!.TextContent.ShouldBe("Certificate suspended", "the heading says what happened, not the form's");
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Suspended);
        using var openssl = new OpenSsl();
        openssl.Write("crl.der", await anyone.Response("/crl/issuing.crl"));
        (await openssl.RunAsync("crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text")).Output.ShouldContain("Certificate Hold");

        // Reactivation is not the door's: it still takes the portal, the PIN and an OTP.
        (await portal.GetAsync("/portal/boxes/suspension", htmx: true)).Document.QuerySelector("a[href='/certificate/reactivate']").ShouldNotBeNull();
        (await Door(anyone, holder.Id, code)).Document.QuerySelector("#emergency-done")!.TextContent.ShouldContain("already suspended: it stays suspended");
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task strangers_guessing_a_user_id_never_close_its_door_and_a_new_code_replaces_the_old()
    {
        var (portal, holder) = await HolderAsync();
        var first = await CreateCodeAsync(portal);
        var code = await CreateCodeAsync(portal);
        code.ShouldNotBe(first);

        using var anyone = app.Client();
        (await Door(anyone, holder.Id, first)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity, "the replaced code no longer works");
        // Twenty wrong codes at once from twenty browsers (each its own address): every one is simply wrong.
        var guesses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var browser = app.Client();
            return (await Door(browser, holder.Id, $"3333-4444-6666-{7000 + i}")).Status;
        }));
        guesses.ShouldAllBe(s => s == HttpStatusCode.UnprocessableEntity);
        // Nobody can close the holder's door: the right code still suspends at once.
        using var holdersPhone = app.Client();
        PortalClient.Page done = null!;
        await app.Host.ExecuteAndWaitAsync(async () => done = await Door(holdersPhone, holder.Id, code), 30_000);
        done.Status.ShouldBe(HttpStatusCode.OK, done.Text);
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Suspended);
    }

    [Fact]
    public async Task one_address_gets_five_codes_a_window_whatever_user_ids_it_tries_and_malformed_codes_count_too()
    {
        using var guesser = app.Client();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
            answers.Add((await Door(guesser, "m" + (100000 + i), i % 2 == 0 ? "not-a-code" : $"3333-4444-6666-{7000 + i}")).Status);
        answers.Take(5).ShouldAllBe(s => s == HttpStatusCode.UnprocessableEntity);
        answers.Skip(5).ShouldAllBe(s => s == HttpStatusCode.TooManyRequests);
        var refused = await Door(guesser, "m100009", "3333-4444-6666-7777");
        refused.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Response.Headers.RetryAfter.ShouldNotBeNull();
        refused.Text.ShouldContain("Too many emergency codes were tried from your connection");
    }

    /// <summary>
    /// A suspension with an end date, then an emergency (the code, or "this wasn't me" from a security mail): the date must
    /// go, or the timer set before the emergency reactivates the certificate under a PIN the holder may no longer trust (the
    /// outside probe's finding after a new key at the desk, where the PIN was chosen from a mailed link).
    /// </summary>
    [Theory]
    [InlineData("emergency code")]
    [InlineData("this wasn't me")]
    public async Task an_emergency_on_a_suspension_with_an_end_date_keeps_it_suspended_past_that_date(string door)
    {
        var (portal, holder) = await HolderAsync();
        using var _ = portal;
        var code = await CreateCodeAsync(portal);
        var dated = await SuspendedUntilLaterAsync(portal, holder);
        dated.SuspendedUntil.ShouldNotBeNull();

        using var someone = app.Client();
        if (door == "emergency code") (await Door(someone, holder.Id, code)).Status.ShouldBe(HttpStatusCode.OK);
        else
        {
            await portal.GetAsync("/account");
            (await portal.PostAsync("/account/password", new() { ["current"] = holder.Password, ["new"] = "a-new-long-password-31", ["confirm"] = "a-new-long-password-31" }))
                .Status.ShouldBe(HttpStatusCode.OK);
            var changed = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your password was changed");
            var ask = await someone.GetAsync(MailLinks.Click(changed, "/not-me"));
            await app.Host.ExecuteAndWaitAsync(async () => (await someone.PostAsync("/not-me",
                new() { ["token"] = ask.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!, ["suspend"] = "on" })).Status.ShouldBe(HttpStatusCode.OK), 30_000);
        }

        // The end the holder had chosen arrives (delivered now rather than on its date).
        await app.Host.InvokeMessageAndWaitAsync(new MySign.Certificates.Status.ReactivateAtEnd(holder.Id, dated.CertificateId, dated.SuspendedUntil!.Value));
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Suspended, "after an emergency only the holder reactivates it");
        if (door == "emergency code") (await Door(someone, holder.Id, code)).Document.QuerySelector("#emergency-done")!.TextContent.ShouldContain("with no end date");
        // "This wasn't me" ended every session (and the password was changed on the way): the holder signs in again.
        using var holderAgain = app.Client();
        (await holderAgain.LoginAsync(holder.Id, door == "emergency code" ? holder.Password : "a-new-long-password-31")).Location.ShouldBe("/");
        var box = (await holderAgain.GetAsync("/portal/boxes/suspension", htmx: true)).Document.QuerySelector("#box-suspension")!.TextContent;
        box.ShouldContain("Suspended");
        box.ShouldNotContain("until", Case.Insensitive, "the suspension has no end date any more");
        await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your certificate stays suspended with no end date");
    }

    /// <summary>
    /// The reactivation due at the end date read the certificate just before an emergency took the date away, and waits for
    /// the row while the emergency commits: it must then find the date gone and do nothing. The test holds the certificate's
    /// row so both are waiting, the emergency first, before it lets them go.
    /// </summary>
    [Fact]
    public async Task a_reactivation_at_the_end_date_read_before_an_emergency_does_not_reactivate_after_it()
    {
        var (emergency, holder) = await EmergencyAndEndDateAsync(emergencyFirst: true);
        emergency.Document.QuerySelector("#emergency-done")!.TextContent.ShouldContain("with no end date");
        emergency.Document.QuerySelector("h1")!.TextContent.ShouldBe("Certificate still suspended");
        emergency.Text.ShouldContain("reactivate it from the Suspension and revocation box", customMessage: "how to undo it, as after a new suspension");
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Suspended, "the reactivation found the date gone");
    }

    /// <summary>
    /// The other order: the reactivation at the end date takes the certificate first and reactivates it while the emergency
    /// waits. The emergency, which read a suspension that is gone by the time it runs, used to end on the "changed
    /// meanwhile" page with the certificate active. It reads the certificate under the lock, and suspends.
    /// </summary>
    [Fact]
    public async Task an_emergency_that_waits_behind_a_reactivation_decides_again_and_suspends()
    {
        var (emergency, holder) = await EmergencyAndEndDateAsync(emergencyFirst: false);
        emergency.Status.ShouldBe(HttpStatusCode.OK, emergency.Text);
        emergency.Document.QuerySelector("#emergency-done")!.TextContent.ShouldContain("suspended");
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Suspended, "the emergency came last, and it suspends");
    }

    /// <summary>
    /// A certificate suspended until a date, its emergency code used while the reactivation due at that date runs: both
    /// queue at the certificate's row, held by the test, in the order asked, then go. The emergency's page.
    /// </summary>
    private async Task<(PortalClient.Page Emergency, TestHolder Holder)> EmergencyAndEndDateAsync(bool emergencyFirst)
    {
        var (portal, holder) = await HolderAsync();
        using var _ = portal;
        var code = await CreateCodeAsync(portal);
        var dated = await SuspendedUntilLaterAsync(portal, holder);
        using var someone = app.Client();
        await someone.GetAsync("/emergency");
        Task<PortalClient.Page> Emergency() => someone.PostAsync("/emergency", new() { ["user_id"] = holder.Id, ["code"] = code });
        Task Reactivation() => app.Host.InvokeMessageAndWaitAsync(new MySign.Certificates.Status.ReactivateAtEnd(holder.Id, dated.CertificateId, dated.SuspendedUntil!.Value), 60_000);

        Task<PortalClient.Page>? emergency = null;
        Task? reactivation = null;
        await using (var row = await HeldLock.RowAsync(app.ConnectionString, "certificates.mt_doc_holdercertificate", holder.Id))
        {
            if (emergencyFirst) emergency = Emergency(); else reactivation = Reactivation();
            await row.WaitersAsync(1);
            if (emergencyFirst) reactivation = Reactivation(); else emergency = Emergency();
            await row.WaitersAsync(2);
        }
        await reactivation!;
        return (await emergency!, holder);
    }

    /// <summary>A reactivation waiting for its code when the emergency code is used: after the emergency, that code moves nothing.</summary>
    [Fact]
    public async Task a_reactivation_started_before_an_emergency_cannot_be_confirmed_after_it()
    {
        var (portal, holder) = await HolderAsync();
        using var _ = portal;
        var code = await CreateCodeAsync(portal);
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin })).Status.ShouldBe(HttpStatusCode.OK);
        await portal.GetAsync("/certificate/reactivate");
        var started = await portal.PostAsync("/certificate/reactivate", new() { ["pin"] = Pin });
        var confirm = started.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
        var otp = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

        using var someone = app.Client();
        (await Door(someone, holder.Id, code)).Document.QuerySelector("#emergency-done")!.TextContent.ShouldContain("already suspended");
        (await portal.PostAsync(confirm, new() { ["code"] = otp })).Status.ShouldBe(HttpStatusCode.Conflict, "the change started before the emergency is over");
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Suspended);
    }

    /// <summary>
    /// "Send new OTP" on a reactivation, answered after the reactivation was confirmed (a second tab): it must not open the
    /// confirmed request again, or its new code would reactivate the certificate once more after a later suspension, without
    /// the PIN. The test holds Otp's issue lock so the resend waits inside its code request while the confirmation lands.
    /// </summary>
    [Fact]
    public async Task send_new_otp_answered_after_the_confirmation_does_not_open_the_change_again()
    {
        var (portal, holder) = await HolderAsync();
        using var _ = portal;
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin })).Status.ShouldBe(HttpStatusCode.OK);
        await portal.GetAsync("/certificate/reactivate");
        var started = await portal.PostAsync("/certificate/reactivate", new() { ["pin"] = Pin });
        var confirm = started.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
        var otp = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        using var otherTab = app.Client();
        foreach (var cookie in portal.Cookies.GetAllCookies().Cast<System.Net.Cookie>()) otherTab.Cookies.Add(cookie);
        await otherTab.GetAsync("/");

        Task<PortalClient.Page> resend;
        await using (var held = await HeldLock.OtpIssuesAsync(app.ConnectionString, holder.Id))
        {
            resend = otherTab.PostAsync(confirm + "/resend", new());
            await held.WaitersAsync(1);
            (await portal.PostAsync(confirm, new() { ["code"] = otp })).Status.ShouldBe(HttpStatusCode.OK);
        }
        await resend;
        var lateCode = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Active);

        // Suspended again later, from the portal: the late code must not reactivate it.
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin })).Status.ShouldBe(HttpStatusCode.OK);
        (await portal.PostAsync(confirm, new() { ["code"] = lateCode })).Status.ShouldBe(HttpStatusCode.Conflict, "a confirmed change is over, whatever code arrives later");
        (await StatusOf(holder.Id)).ShouldBe(CertificateStatus.Suspended);
    }
}
