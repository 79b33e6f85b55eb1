using System.Text.RegularExpressions;
using MySign.Accounts.Domain;

namespace MySign.Tests.Accounts;

[Collection(AppCollection.Name)]
public sealed partial class ManageAccountTests(AppFixture app)
{
    [GeneratedRegex(@"http://localhost(/account/email/confirm\?token=[A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmLink();

    private async Task<(PortalClient, TestHolder)> SignedIn()
    {
        var holder = await Holders.CreateAsync(app.Store);
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        (await client.GetAsync("/account")).Status.ShouldBe(HttpStatusCode.OK);
        return (client, holder);
    }

    private async Task<HolderAccount> Account(string id)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<HolderAccount>(id))!;
    }

    [Fact]
    public async Task the_account_page_shows_three_boxes_and_recent_activity()
    {
        var (client, _) = await SignedIn();
        using var _c = client;
        var page = await client.GetAsync("/account");
        page.Document.QuerySelectorAll(".boxes h2").Select(h => h.TextContent).ShouldBe(["Personal information", "Access information", "Recovery information"]);
        page.Document.QuerySelector(".activity")!.TextContent.ShouldContain("Signed in");
        page.Document.QuerySelector("#recovery-explained")!.TextContent.ShouldContain("not the OTP phone", customMessage: "what the recovery mobile is for");
    }

    [Fact]
    public async Task bad_personal_data_is_refused_field_by_field_keeping_the_input_and_extra_fields_are_ignored()
    {
        var (client, holder) = await SignedIn();
        using var _c = client;
        var bad = await client.PostAsync("/account/personal", new Dictionary<string, string>
        {
            ["address"] = "Via Roma 1", ["post_code"] = "0018", ["city"] = "Roma", ["province"] = "Rome", ["country"] = "IT",
        });
        bad.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        bad.Document.QuerySelector("#post_code-error")!.TextContent.ShouldContain("5 digits");
        bad.Document.QuerySelector("#province-error")!.TextContent.ShouldContain("2 letters");
        bad.Document.QuerySelector("#address-error").ShouldBeNull();
        bad.Document.QuerySelector("#post_code")!.GetAttribute("value").ShouldBe("0018");
        (await Account(holder.Id)).Address.ShouldBe("", "nothing saved half-way");

        var good = await client.PostAsync("/account/personal", new Dictionary<string, string>
        {
            ["address"] = "Via Roma 1", ["post_code"] = "00184", ["city"] = "Roma", ["province"] = "rm", ["country"] = "it",
            ["id"] = "m235477", ["email"] = "attacker@example.test", ["first_name"] = "Mallory",
        });
        good.Status.ShouldBe(HttpStatusCode.OK);
        good.Text.ShouldContain("was updated");
        var saved = await Account(holder.Id);
        (saved.Address, saved.PostCode, saved.Province, saved.Country).ShouldBe(("Via Roma 1", "00184", "RM", "IT"));
        (saved.Email, saved.FirstName).ShouldBe((holder.Email, "Anna"));
    }

    [Fact]
    public async Task changing_the_password_needs_the_current_one_and_closes_the_other_sessions()
    {
        var (client, holder) = await SignedIn();
        using var _c = client;
        using var other = app.Client();
        await other.LoginAsync(holder.Id, holder.Password);

        var wrong = await client.PostAsync("/account/password", new Dictionary<string, string> { ["current"] = "not it at all", ["new"] = "a fine new passphrase", ["confirm"] = "a fine new passphrase" });
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        // Each message sits under the field it is about, which says so to a screen reader.
        wrong.Document.QuerySelector("#current-error")!.TextContent.ShouldContain("current password is not correct");
        wrong.Document.QuerySelector("#current")!.GetAttribute("aria-describedby").ShouldBe("current-error");
        var mismatch = await client.PostAsync("/account/password", new Dictionary<string, string> { ["current"] = holder.Password, ["new"] = "a fine new passphrase", ["confirm"] = "a fine new passphrasE" });
        mismatch.Document.QuerySelector("#confirm-error")!.TextContent.ShouldContain("do not match");
        var weak = await client.PostAsync("/account/password", new Dictionary<string, string> { ["current"] = holder.Password, ["new"] = "short", ["confirm"] = "short" });
        weak.Document.QuerySelector("#new-error").ShouldNotBeNull(weak.Text);

        var done = await client.PostAsync("/account/password", new Dictionary<string, string> { ["current"] = holder.Password, ["new"] = "a fine new passphrase", ["confirm"] = "a fine new passphrase" });
        done.Status.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK, "this session stays");
        (await other.GetAsync("/")).Status.ShouldBe(HttpStatusCode.Redirect, "the other one ends");
        (await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your password was changed")).ShouldNotBeNull();
    }

    [Fact]
    public async Task the_recovery_email_changes_only_when_the_link_is_followed_and_the_old_address_is_told()
    {
        var (client, holder) = await SignedIn();
        using var _c = client;
        var newEmail = $"new-{holder.Id}@example.test";
        var wrongPassword = await client.PostAsync("/account/recovery/email", new Dictionary<string, string> { ["email"] = newEmail, ["current"] = "nope nope nope" });
        wrongPassword.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrongPassword.Document.QuerySelector("#email")!.GetAttribute("value").ShouldBe(newEmail);
        wrongPassword.Document.QuerySelector("#current-error").ShouldNotBeNull("the refusal sits under the password field");

        var sent = await client.PostAsync("/account/recovery/email", new Dictionary<string, string> { ["email"] = newEmail, ["current"] = holder.Password });
        sent.Status.ShouldBe(HttpStatusCode.OK);
        (await Account(holder.Id)).Email.ShouldBe(holder.Email, "not before the link");
        (await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: recovery e-mail change requested")).TextBody!.ShouldContain(newEmail);
        var confirm = await app.Smtp.WaitForAsync(newEmail);
        var link = ConfirmLink().Match(confirm.TextBody!).Groups[1].Value;

        using var anyone = app.Client();
        (await anyone.GetAsync(link)).Status.ShouldBe(HttpStatusCode.OK);
        (await Account(holder.Id)).Email.ShouldBe(newEmail);
        (await anyone.GetAsync(link)).Status.ShouldBe(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task the_recovery_mobile_changes_only_after_both_otps_and_a_wrong_one_changes_nothing()
    {
        var (client, holder) = await SignedIn();
        using var _c = client;
        await using (var session = app.Store.LightweightSession())
        {
            var account = (await session.LoadAsync<HolderAccount>(holder.Id))!;
            account.RecoveryMobile = holder.Phone;
            session.Store(account);
            await session.SaveChangesAsync();
        }
        var newMobile = $"+39348{Random.Shared.Next(1_000_000, 9_999_999)}";
        var started = await client.PostAsync("/account/recovery/mobile", new Dictionary<string, string> { ["mobile"] = newMobile, ["current"] = holder.Password });
        started.Status.ShouldBe(HttpStatusCode.OK);
        var action = started.Document.QuerySelector("#box-recovery form")!.GetAttribute("action")!;

        var wrong = await client.PostAsync(action, new Dictionary<string, string> { ["code"] = "00000000" });
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await Holders.SmsToAsync(app.Store, newMobile)).ShouldBeEmpty();

        (await client.PostAsync(action, new Dictionary<string, string> { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) })).Status.ShouldBe(HttpStatusCode.OK);
        (await Account(holder.Id)).RecoveryMobile.ShouldBe(holder.Phone);
        var done = await client.PostAsync(action, new Dictionary<string, string> { ["code"] = await Holders.LastSmsCodeAsync(app.Store, newMobile) });
        done.Text.ShouldContain("recovery mobile was changed");
        (await Account(holder.Id)).RecoveryMobile.ShouldBe(newMobile);
        (await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your recovery mobile was changed")).TextBody!.ShouldContain(newMobile[^3..]);

        // Someone else cannot continue this change.
        var (intruder, _) = await SignedIn();
        using var _i = intruder;
        (await intruder.PostAsync(action, new Dictionary<string, string> { ["code"] = "12345678" })).Status.ShouldBe(HttpStatusCode.NotFound);
    }
}
