using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine.Tracking;

namespace MySign.Tests.Accounts;

/// <summary>Words that were true only for someone else: each page says what is true for the holder reading it.</summary>
[Collection(AppCollection.Name)]
public sealed class WordingTests(AppFixture app)
{
    private const string Pin = "52719364";

    [Fact]
    public async Task the_sign_in_settings_ask_to_add_a_passkey_first_only_of_a_holder_without_one()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        (await portal.GetAsync("/account")).Document.QuerySelector("#signin-title")!.ParentElement!.TextContent.ShouldContain("Add a passkey in the OTP box");
        // Without a passkey, sign-in with a passkey alone is refused next to the box, and nothing is saved.
        var refused = await portal.PostAsync("/account/sign-in", new() { ["passkey"] = "on", ["password"] = holder.Password });
        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        refused.Document.QuerySelector("#signin-error")!.TextContent.ShouldContain("passkey");
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<MySign.Accounts.Domain.HolderAccount>(holder.Id))!.PasskeySignIn.ShouldBeFalse();

        await Factors.AddPasskeyAsync(app.Store, holder.Id);
        var withPasskey = (await portal.GetAsync("/account")).Document.QuerySelector("#signin-title")!.ParentElement!.TextContent;
        withPasskey.ShouldNotContain("Add a passkey in the OTP box");
        withPasskey.ShouldContain("1 passkey");
    }

    [Fact]
    public async Task the_renewal_consent_names_the_iut_once()
    {
        var holder = await Holders.CreateAsync(app.Store);
        await app.Host.ExecuteAndWaitAsync(m => m.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Elena", "Neri", "NRELNE80A41H501X", Pin,
            ValidFrom: DateTimeOffset.UtcNow - TimeSpan.FromDays(3 * 365) + TimeSpan.FromDays(30))));
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/renewal");
        var started = await portal.PostAsync("/renewal", new() { ["path"] = "coupon" });
        var page = await portal.GetAsync(started.Location!);
        string iut;
        await using (var session = app.Store.QuerySession()) iut = (await session.LoadAsync<HolderCertificate>(holder.Id))!.UniqueIdentifier;
        var consent = page.Document.QuerySelector("form[action$='/consents'] p")!.TextContent;
        consent.ShouldContain(iut);
        consent.ShouldNotContain("IUT IUT", Case.Sensitive);
    }

    [Fact]
    public async Task a_renewal_left_at_the_rao_desk_and_resumed_later_does_not_say_you_can_sign_out_now()
    {
        var holder = await Journeys.RegisteredAsync(app, "Piero", "M");
        await AppClock.DueInAMonthAsync(app.Store, app.ConnectionString, holder.UserId);
        var client = holder.Client;
        await client.GetAsync("/renewal");
        var id = (await client.PostAsync("/renewal", new() { ["path"] = "rao" })).Location!.Split('/').Last();
        await client.GetAsync($"/renewal/{id}");
        var confirm = await client.PostAsync($"/renewal/{id}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = holder.Pin });
        await client.PostAsync($"/renewal/{id}/confirm", new() { ["code"] = await holder.Device.AnswerAsync(client, Journeys.ConfirmForm(confirm)) });
        await client.PostAsync($"/renewal/{id}/rao", new() { ["rao_username"] = holder.RegisteredBy.Id, ["rao_password"] = holder.RegisteredBy.Password });
        var saved = await client.PostAsync($"/renewal/{id}/later", []);
        saved.Document.QuerySelector("#renewal-later")!.TextContent.ShouldContain("You can sign out now");
        await AppClock.MessagesSettledAsync(app.ConnectionString);

        using var later = app.Client();
        var signIn = await later.LoginAsync(holder.UserId, holder.Password);
        signIn.Location.ShouldBe($"/renewal/{id}");
        var resumed = await later.GetAsync(signIn.Location!);
        resumed.Text.ShouldNotContain("You can sign out now");
        resumed.Document.QuerySelector("form[action$='/pin']").ShouldNotBeNull("the step to finish is there");
    }

    [Fact]
    public async Task a_mistyped_birth_date_is_one_message_next_to_the_date_not_a_second_one_about_the_fiscal_code()
    {
        var op = await Operators.CreateAsync(app.Store);
        using var rao = app.Client();
        await Operators.SignInAsync(rao, app.Store, op);
        var applicant = Applicant.New();
        // A year mistyped: a child's, or one too long ago. The date is what is wrong; the fiscal code was typed right.
        foreach (var typo in new[] { new DateOnly(DateTime.UtcNow.Year - 5, applicant.BirthDate.Month, applicant.BirthDate.Day), new DateOnly(1901, applicant.BirthDate.Month, applicant.BirthDate.Day) })
        {
            await rao.GetAsync("/rao/holders/new");
            var form = applicant.Form();
            form["birth_date"] = typo.ToString("dd/MM/yyyy");
            var page = await rao.PostAsync("/rao/holders", form);
            page.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
            page.Document.QuerySelectorAll(".field .error").Select(e => e.GetAttribute("id")).ShouldBe(["birth_date-error"], $"{typo}: one mistake, one message");
        }
    }
}
