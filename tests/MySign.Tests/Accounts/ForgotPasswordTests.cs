using System.Text.RegularExpressions;
using Marten;
using MySign.Accounts.Domain;

namespace MySign.Tests.Accounts;

[Collection(AppCollection.Name)]
public sealed partial class ForgotPasswordTests(AppFixture app)
{
    [GeneratedRegex(@"http://localhost/reset-password\?token=[A-Za-z0-9_-]+")]
    private static partial Regex ResetLink();

    [GeneratedRegex("value=\"CfDJ8[^\"]+\"|RequestVerificationToken&quot;:&quot;[^&]+&quot;|\"RequestVerificationToken\":\"[^\"]+\"")]
    private static partial Regex Tokens();

    private async Task<string> AskForLink(TestHolder holder)
    {
        using var client = app.Client();
        await client.GetAsync("/forgot-password");
        (await client.PostAsync("/forgot-password", new Dictionary<string, string> { ["user_id"] = holder.Id.ToUpperInvariant() })).Status.ShouldBe(HttpStatusCode.OK);
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: set a new password");
        return ResetLink().Match(mail.TextBody!).Value.Replace("http://localhost", "");
    }

    [Fact]
    public async Task a_forgotten_user_id_is_mailed_to_the_recovery_address_and_the_page_tells_nobody_else_anything()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var client = app.Client();
        var login = await client.GetAsync("/login");
        login.Document.QuerySelector("h1")!.TextContent.ShouldBe("Sign in to SelfCare Signature");
        login.Document.QuerySelector("#user_id")!.GetAttribute("placeholder").ShouldBe("Es. m235477");
        login.Document.QuerySelector("a[href='/forgot-user-id']")!.TextContent.ShouldBe("I forgot my User ID");
        login.Text.ShouldContain("Don't have MySign yet?");

        await client.GetAsync("/forgot-user-id");
        var known = await client.PostAsync("/forgot-user-id", new Dictionary<string, string> { ["email"] = holder.Email.ToUpperInvariant() });
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your User ID");
        mail.TextBody!.ShouldContain(holder.Id);
        var unknown = await client.PostAsync("/forgot-user-id", new Dictionary<string, string> { ["email"] = "nobody-" + holder.Email });
        unknown.Status.ShouldBe(known.Status);
        unknown.Document.QuerySelector("main")!.TextContent.ShouldBe(known.Document.QuerySelector("main")!.TextContent);
        app.Smtp.Messages().ShouldNotContain(m => m.To.ToString().Contains("nobody-"));
    }

    [Fact]
    public async Task known_and_unknown_user_ids_get_the_same_answer()
    {
        var holder = await Holders.CreateAsync(app.Store);
        async Task<PortalClient.Page> Ask(string id)
        {
            using var client = app.Client();
            await client.GetAsync("/forgot-password");
            return await client.PostAsync("/forgot-password", new Dictionary<string, string> { ["user_id"] = id });
        }
        var known = await Ask(holder.Id);
        var unknown = await Ask("z" + holder.Id);
        unknown.Status.ShouldBe(known.Status);
        // Identical but for the per-request antiforgery tokens (random by design).
        Tokens().Replace(unknown.Html, "T").ShouldBe(Tokens().Replace(known.Html, "T"));
        known.Text.ShouldContain("If the User ID exists");
    }

    [Fact]
    public async Task the_link_sets_a_new_password_once_and_ends_every_session()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var elsewhere = app.Client();
        await elsewhere.LoginAsync(holder.Id, holder.Password);
        (await elsewhere.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);

        var link = await AskForLink(holder);
        using var browser = app.Client();
        var form = await browser.GetAsync(link);
        form.Status.ShouldBe(HttpStatusCode.OK);
        form.Response.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
        var token = form.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;

        var weak = await browser.PostAsync("/reset-password", new Dictionary<string, string> { ["token"] = token, ["password"] = "short", ["confirm"] = "short" });
        weak.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        weak.Text.ShouldContain("at least 12 characters");
        var mismatch = await browser.PostAsync("/reset-password", new Dictionary<string, string> { ["token"] = token, ["password"] = "a brand new passphrase", ["confirm"] = "a brand new passfrase" });
        mismatch.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        // The field that is wrong is the one marked, and the message is read out with it.
        (mismatch.Document.QuerySelector("#confirm")!.GetAttribute("aria-invalid"), mismatch.Document.QuerySelector("#password")!.GetAttribute("aria-invalid")).ShouldBe(("true", null));
        mismatch.Document.QuerySelector("#confirm")!.GetAttribute("aria-describedby")!.Split(' ').ShouldContain("reset-error");

        const string fresh = "a brand new passphrase";
        var done = await browser.PostAsync("/reset-password", new Dictionary<string, string> { ["token"] = token, ["password"] = fresh, ["confirm"] = fresh });
        done.Status.ShouldBe(HttpStatusCode.OK);
        done.Text.ShouldContain("Your password was changed");
        done.Document.QuerySelector("h1")!.TextContent.ShouldBe("Password changed", "the heading says what happened, not the form's");
        (await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your password was changed")).ShouldNotBeNull();

        (await elsewhere.GetAsync("/")).Location.ShouldBe("/login?expired=1");
        using var again = app.Client();
        (await again.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await again.LoginAsync(holder.Id, fresh)).Status.ShouldBe(HttpStatusCode.Redirect);

        var reused = await browser.GetAsync(link);
        reused.Status.ShouldBe(HttpStatusCode.Gone);
        reused.Text.ShouldContain("no longer valid");
        reused.Document.QuerySelector("h1")!.TextContent.ShouldBe("This link no longer works");
        (await browser.PostAsync("/reset-password", new Dictionary<string, string> { ["token"] = token, ["password"] = "yet another passphrase", ["confirm"] = "yet another passphrase" }))
            .Status.ShouldBe(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task an_expired_link_is_refused_with_a_clear_page()
    {
        var holder = await Holders.CreateAsync(app.Store);
        var link = await AskForLink(holder);
        await using (var session = app.Store.LightweightSession())
        {
            var tokens = await session.Query<AccountToken>().Where(t => t.HolderId == holder.Id).ToListAsync();
            foreach (var t in tokens) { t.ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1); session.Store(t); }
            await session.SaveChangesAsync();
        }
        using var client = app.Client();
        var page = await client.GetAsync(link);
        page.Status.ShouldBe(HttpStatusCode.Gone);
        page.Text.ShouldContain("no longer valid");
    }

    [Fact]
    public async Task recovery_requests_from_one_address_are_rate_limited_until_the_window_turns()
    {
        using var client = app.Client();
        await client.GetAsync("/forgot-password");
        var answers = new List<PortalClient.Page>();
        for (var i = 0; i < 7; i++)
            answers.Add(await client.PostAsync("/forgot-password", new Dictionary<string, string> { ["user_id"] = "nobody" }));
        answers.Take(5).ShouldAllBe(a => a.Status == HttpStatusCode.OK);
        answers.Skip(5).ShouldAllBe(a => a.Status == (HttpStatusCode)429);
        var retryAfter = int.Parse(answers[^1].Response.Headers.RetryAfter!.ToString());
        retryAfter.ShouldBeInRange(1, 10, "the fixture's window is 10 s");

        await Task.Delay(TimeSpan.FromSeconds(retryAfter + 1));
        (await client.PostAsync("/forgot-password", new Dictionary<string, string> { ["user_id"] = "nobody" })).Status
            .ShouldBe(HttpStatusCode.OK, "the limit lifts when its window turns");
        using var other = app.Client();
        await other.GetAsync("/forgot-password");
        (await other.PostAsync("/forgot-password", new Dictionary<string, string> { ["user_id"] = "nobody" })).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_mailed_link_is_built_from_configuration_whatever_host_the_request_named()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var client = app.Client();
        await client.GetAsync("/forgot-password");
        var request = new HttpRequestMessage(HttpMethod.Post, "/forgot-password")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["user_id"] = holder.Id, ["__RequestVerificationToken"] = client.Token! }),
        };
        request.Headers.Host = "attacker.example";
        request.Headers.Add("X-Forwarded-Host", "attacker.example");
        (await client.SendAsync(request)).Status.ShouldBe(HttpStatusCode.OK);
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: set a new password");
        mail.TextBody!.ShouldNotContain("attacker.example");
        ResetLink().IsMatch(mail.TextBody!).ShouldBeTrue("the link starts with Portal:BaseUrl (http://localhost here)");
    }
}
