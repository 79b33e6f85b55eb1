using System.Globalization;
using MySign.Accounts.Domain;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Certificates.Status;
using MySign.Kernel.Localization;
using MySign.Kernel.Rendering;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>
/// Whatever door a certificate changes through, its holder is told: an e-mail in the holder's language saying what happened,
/// when and through which door, with what to do if it was not them ("this wasn't me" unless that was the door), and an SMS
/// for a holder whose OTPs come by SMS. One row per door; a new door is a new row.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CertificateNoticeTests(AppFixture app)
{
    private const string Pin = "73194628";

    private sealed record Row(string Language, CertificateChange Change, CertificateDoor Door, Func<CertificateNoticeTests, PortalClient, TestHolder, Task> Act);

    private static readonly Dictionary<string, Row> Rows = new()
    {
        ["suspended from the portal"] = new("it", CertificateChange.Suspended, CertificateDoor.Portal,
            (t, portal, holder) => t.ChangeStatusAsync(portal, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin })),
        ["suspended with the emergency code"] = new("en", CertificateChange.Suspended, CertificateDoor.EmergencyCode, (t, portal, holder) => t.EmergencyAsync(portal, holder)),
        ["suspended with this wasn't me"] = new("it", CertificateChange.Suspended, CertificateDoor.NotMe, (t, portal, holder) => t.NotMeAsync(portal, holder)),
        ["reactivated from the portal"] = new("en", CertificateChange.Reactivated, CertificateDoor.Portal, async (t, portal, holder) =>
        {
            await t.ChangeStatusAsync(portal, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["pin"] = Pin });
            await t.ChangeStatusAsync(portal, holder, "reactivate", new() { ["pin"] = Pin });
        }),
        ["reactivated at the end of the suspension"] = new("it", CertificateChange.Reactivated, CertificateDoor.AutomaticEnd, (t, portal, holder) => t.SuspendedUntilLaterAsync(portal, holder)),
        ["revoked from the portal"] = new("en", CertificateChange.Revoked, CertificateDoor.Portal,
            (t, portal, holder) => t.ChangeStatusAsync(portal, holder, "revoke", new() { ["reason"] = "keyCompromise", ["pin"] = Pin, ["understood"] = "yes" })),
        ["re-keyed after a forgotten PIN at the RAO desk"] = new("it", CertificateChange.Rekeyed, CertificateDoor.RaoDesk, (t, _, holder) => t.NewPinAtTheDeskAsync(holder)),
        ["a suspension's end date taken away with the emergency code"] = new("en", CertificateChange.SuspensionWithoutEnd, CertificateDoor.EmergencyCode,
            async (t, portal, holder) =>
            {
                var later = DateTimeOffset.UtcNow.AddDays(3).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
                await t.ChangeStatusAsync(portal, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["until"] = later, ["pin"] = Pin });
                await t.EmergencyAsync(portal, holder);
            }),
        ["re-keyed at the RAO desk while suspended"] = new("it", CertificateChange.RekeyedSuspended, CertificateDoor.RaoDesk, async (t, portal, holder) =>
        {
            await t.ChangeStatusAsync(portal, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["pin"] = Pin });
            await t.NewPinAtTheDeskAsync(holder);
        }),
    };

    public static TheoryData<string> Doors => new(Rows.Keys);

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task the_holder_is_told_by_mail_and_sms_what_happened_when_and_through_which_door(string row)
    {
        var (language, change, door, act) = Rows[row];
        var holder = await Holders.CreateAsync(app.Store, "Chiara", "Conti");
        await app.Host.ExecuteAndWaitAsync(c => c.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Chiara", "Conti", "CNTCHR80A41H501U", Pin)));
        using var portal = app.Client();
        portal.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        (await portal.LoginAsync(holder.Id, holder.Password)).Location.ShouldBe("/");
        await portal.GetAsync("/");
        var before = Today(language);

        await act(this, portal, holder);

        var kind = "mail." + MySign.Accounts.Mail.CertificateChangeMail.Kind(change);
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == Strings.T(kind + ".subject", language), TimeSpan.FromSeconds(30));
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        var how = Strings.T(MySign.Accounts.Mail.CertificateChangeMail.DoorKey(door), language);
        var text = mail.TextBody!;
        text.ShouldContain(how, customMessage: "through which door");
        var after = Today(language);
        (text.Contains(before) || text.Contains(after)).ShouldBeTrue($"when: the day ({after}) is in \"{text}\"");
        await using (var session = app.Store.QuerySession())
            text.ShouldContain((await session.LoadAsync<HolderCertificate>(holder.Id))!.UniqueIdentifier, customMessage: "which certificate");
        if (door == CertificateDoor.NotMe)
            MailLinks.InText(mail).ShouldBeEmpty("the door was the \"this wasn't me\" link itself");
        else
        {
            using var mailbox = app.Client();
            (await mailbox.GetAsync(MailLinks.Click(mail, "/not-me"))).Status.ShouldBe(HttpStatusCode.OK, "what to do if it was not them");
        }
        var said = Strings.T(kind + ".sms", language).Split("{0}")[0];
        (await Holders.SmsToAsync(app.Store, holder.Phone)).ShouldContain(s => s.Text.StartsWith(said) && s.Text.Contains(how), "the SMS holder is texted too");
    }

    [Fact]
    public async Task the_language_chosen_in_the_header_is_the_one_the_holder_is_then_told_in()
    {
        var holder = await Holders.CreateAsync(app.Store, "Chiara", "Conti");
        await app.Host.ExecuteAndWaitAsync(c => c.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Chiara", "Conti", "CNTCHR80A41H501U", Pin)));
        using var portal = app.Client();
        portal.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("it");
        (await portal.LoginAsync(holder.Id, holder.Password)).Location.ShouldBe("/");
        await portal.GetAsync("/");
        (await portal.PostAsync("/lang", new() { ["lang"] = "en", ["return"] = "/" })).Status.ShouldBe(HttpStatusCode.Redirect);
        (await portal.GetAsync("/")).Text.ShouldContain("Manage your account", customMessage: "the pages are in English");
        await AppClock.MessagesSettledAsync(app.ConnectionString);

        await ChangeStatusAsync(portal, holder, "suspend", new() { ["reason"] = "lostDevice", ["pin"] = Pin });
        await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == Strings.T("mail.certificate_suspended.subject", "en"), TimeSpan.FromSeconds(30));
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        var said = Strings.T("mail.certificate_suspended.sms", "en").Split("{0}")[0];
        (await Holders.SmsToAsync(app.Store, holder.Phone)).ShouldContain(s => s.Text.StartsWith(said), "the SMS notice is in English too");
    }

    [Fact]
    public async Task of_two_quick_switches_the_last_chosen_is_kept_whichever_arrives_last()
    {
        var holder = await Holders.CreateAsync(app.Store, "Chiara", "Conti");
        var now = DateTimeOffset.UtcNow;
        await app.Host.InvokeMessageAndWaitAsync(new MySign.Accounts.Contracts.RememberHolderLanguage(holder.Id, "en", now));
        await app.Host.InvokeMessageAndWaitAsync(new MySign.Accounts.Contracts.RememberHolderLanguage(holder.Id, "it", now.AddMilliseconds(-300)));
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<MySign.Accounts.Domain.HolderAccount>(holder.Id))!.Language.ShouldBe("en", "the Italian switch was made before the English one");
        await app.Host.InvokeMessageAndWaitAsync(new MySign.Accounts.Contracts.RememberHolderLanguage(holder.Id, "it", now.AddSeconds(1)));
        await app.Host.InvokeMessageAndWaitAsync(new MySign.Accounts.Contracts.RememberHolderLanguage(holder.Id, "xx", now.AddSeconds(2)));
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<MySign.Accounts.Domain.HolderAccount>(holder.Id))!.Language.ShouldBe("en", "a language the portal has not is kept as English");
    }

    private static string Today(string language) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TemplateFunctions.PortalTimeZone).ToString("d", CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB"));

    private async Task ChangeStatusAsync(PortalClient portal, TestHolder holder, string action, Dictionary<string, string> form) =>
        (await Holders.ChangeCertificateStatusAsync(portal, app.Store, holder, action, form)).Status.ShouldBe(HttpStatusCode.OK);

    private async Task EmergencyAsync(PortalClient portal, TestHolder holder)
    {
        var made = await portal.PostAsync("/certificate/emergency-code", new() { ["pin"] = Pin });
        var code = made.Document.QuerySelector("#emergency-code .code")!.TextContent.Trim();
        using var anyone = app.Client();
        await anyone.GetAsync("/emergency");
        (await anyone.PostAsync("/emergency", new() { ["user_id"] = holder.Id, ["code"] = code })).Status.ShouldBe(HttpStatusCode.OK);
    }

    private async Task NotMeAsync(PortalClient portal, TestHolder holder)
    {
        await portal.GetAsync("/account");
        (await portal.PostAsync("/account/password", new() { ["current"] = holder.Password, ["new"] = "a-new-long-password-31", ["confirm"] = "a-new-long-password-31" }))
            .Status.ShouldBe(HttpStatusCode.OK);
        var changed = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == Strings.T("mail.password_changed.subject", "it"));
        using var mailbox = app.Client();
        var ask = await mailbox.GetAsync(MailLinks.Click(changed, "/not-me"));
        (await mailbox.PostAsync("/not-me", new() { ["token"] = ask.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!, ["suspend"] = "on" }))
            .Status.ShouldBe(HttpStatusCode.OK);
        // "This wasn't me" is told apart: every session ended.
        await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == Strings.T("mail.not_me_done.subject", "it"));
    }

    private async Task SuspendedUntilLaterAsync(PortalClient portal, TestHolder holder)
    {
        var later = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TemplateFunctions.PortalTimeZone).AddDays(2).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        await ChangeStatusAsync(portal, holder, "suspend", new() { ["reason"] = "temporaryAbsence", ["until"] = later, ["pin"] = Pin });
        HolderCertificate suspended;
        await using (var session = app.Store.QuerySession()) suspended = (await session.LoadAsync<HolderCertificate>(holder.Id))!;
        // The reactivation the suspension scheduled, delivered now rather than on its date.
        await app.Host.InvokeMessageAndWaitAsync(new ReactivateAtEnd(holder.Id, suspended.CertificateId, suspended.SuspendedUntil!.Value));
    }

    private async Task NewPinAtTheDeskAsync(TestHolder holder)
    {
        var op = await Operators.CreateAsync(app.Store);
        await using (var session = app.Store.LightweightSession())
        {
            var account = (await session.LoadAsync<HolderAccount>(holder.Id))!;
            account.Office = op.Office;
            session.Store(account);
            await session.SaveChangesAsync();
        }
        using var rao = app.Client();
        (await Operators.SignInAsync(rao, app.Store, op)).Location.ShouldBe("/rao");
        (await Desk.ActAsync(rao, holder.Id, "forgotten_pin")).Status.ShouldBe(HttpStatusCode.OK);
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == Strings.T("mail.new_pin.subject", "it"));
        using var mailbox = app.Client();
        var token = (await mailbox.GetAsync(MailLinks.Click(mail, "/new-pin"))).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        (await mailbox.PostAsync("/new-pin", new() { ["token"] = token, ["pin"] = "58203917", ["pin_confirm"] = "58203917" })).Status.ShouldBe(HttpStatusCode.OK);
        (await mailbox.PostAsync("/new-pin/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) }))
            .Status.ShouldBe(HttpStatusCode.OK);
    }
}
