using Marten;
using MySign.Otp.Domain;

namespace MySign.Tests.Otp;

/// <summary>Changing the OTP phone through the portal's forms, as a browser without JavaScript would.</summary>
[Collection(AppCollection.Name)]
public sealed class PhoneChangeTests(AppFixture app)
{
    private static string NewPhone() => $"+39347{Random.Shared.Next(1_000_000, 9_999_999)}";

    private async Task<string> PhoneOf(string holderId)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<OtpSettings>(holderId))!.PhoneNumber;
    }

    private async Task<(PortalClient Client, TestHolder Holder, string ChangeId)> Started(string newPhone)
    {
        var holder = await Holders.CreateAsync(app.Store);
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/otp/phone");
        var page = await client.PostAsync("/otp/phone", new Dictionary<string, string> { ["phone"] = newPhone });
        page.Status.ShouldBe(HttpStatusCode.OK);
        var action = page.Document.QuerySelector("form[action$='/current']")!.GetAttribute("action")!;
        return (client, holder, action.Split('/')[3]);
    }

    [Fact]
    public async Task the_new_phone_applies_only_after_the_old_and_the_new_number_confirm_and_both_channels_are_told()
    {
        var newPhone = NewPhone();
        var (client, holder, id) = await Started(newPhone);
        using var _ = client;
        (await Holders.SmsToAsync(app.Store, newPhone)).ShouldBeEmpty("the old number confirms first");

        var second = await client.PostAsync($"/otp/phone/{id}/current", new Dictionary<string, string> { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        second.Status.ShouldBe(HttpStatusCode.OK);
        second.Text.ShouldContain("Now enter the OTP sent to the new number");
        (await PhoneOf(holder.Id)).ShouldBe(holder.Phone, "one confirmation is not enough");

        var done = await client.PostAsync($"/otp/phone/{id}/new", new Dictionary<string, string> { ["code"] = await Holders.LastSmsCodeAsync(app.Store, newPhone) });
        done.Status.ShouldBe(HttpStatusCode.Redirect);
        (await PhoneOf(holder.Id)).ShouldBe(newPhone);
        // The old phone is told once the change has committed (the text leaves through the outbox).
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        (await Holders.SmsToAsync(app.Store, holder.Phone)).Last().Text.ShouldContain("was changed");
        // (The sign-in from a new browser is mailed too: this is the other mail.)
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your OTP settings were changed");
        mail.TextBody!.ShouldContain("/not-me?token=", customMessage: "a security e-mail ends with \"this wasn't me\"");

        var home = await client.GetAsync("/portal/boxes/otp", htmx: true);
        home.Text.ShouldContain(newPhone[^3..]);
    }

    [Fact]
    public async Task a_wrong_otp_changes_nothing_and_says_so_next_to_the_field()
    {
        var newPhone = NewPhone();
        var (client, holder, id) = await Started(newPhone);
        using var _ = client;
        var code = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        var page = await client.PostAsync($"/otp/phone/{id}/current", new Dictionary<string, string> { ["code"] = code == "12345678" ? "87654321" : "12345678" });
        page.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        page.Document.QuerySelector("#otp-error")!.TextContent.ShouldBe("The OTP is not correct.");
        page.Document.QuerySelector("#code")!.GetAttribute("aria-invalid").ShouldBe("true");
        (await Holders.SmsToAsync(app.Store, newPhone)).ShouldBeEmpty();
        // Skipping the first step is refused too.
        (await client.PostAsync($"/otp/phone/{id}/new", new Dictionary<string, string> { ["code"] = code })).Status.ShouldBe(HttpStatusCode.NotFound);
        (await PhoneOf(holder.Id)).ShouldBe(holder.Phone);
    }

    [Fact]
    public async Task an_invalid_number_is_refused_next_to_the_field_keeping_what_was_typed()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/otp/phone");
        var page = await client.PostAsync("/otp/phone", new Dictionary<string, string> { ["phone"] = "333 12" });
        page.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        page.Document.QuerySelector("#otp-error")!.TextContent.ShouldContain("country code");
        page.Document.QuerySelector("#phone")!.GetAttribute("value").ShouldBe("333 12");
    }

    [Fact]
    public async Task another_holders_phone_change_cannot_be_continued()
    {
        var (owner, _, id) = await Started(NewPhone());
        owner.Dispose();
        var intruder = await Holders.CreateAsync(app.Store);
        using var client = app.Client();
        await client.LoginAsync(intruder.Id, intruder.Password);
        await client.GetAsync("/otp/phone");
        (await client.PostAsync($"/otp/phone/{id}/current", new Dictionary<string, string> { ["code"] = "12345678" })).Status.ShouldBe(HttpStatusCode.NotFound);
        (await client.PostAsync($"/otp/phone/{id}/resend", new Dictionary<string, string>())).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task send_new_otp_too_soon_gets_429_with_a_message()
    {
        var (client, _, id) = await Started(NewPhone());
        using var _ = client;
        var page = await client.PostAsync($"/otp/phone/{id}/resend", new Dictionary<string, string>());
        page.Status.ShouldBe((HttpStatusCode)429);
        page.Response.Headers.RetryAfter.ShouldNotBeNull();
        page.Text.ShouldContain("Please wait");
    }
}
