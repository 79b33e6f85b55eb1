using MySign.Dev;
using Marten;

namespace MySign.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class LoginAndHomeTests(AppFixture app)
{
    [Fact]
    public async Task the_demo_holder_signs_in_and_sees_the_six_boxes_and_both_counters()
    {
        using var client = app.Client();
        var login = await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        login.Status.ShouldBe(HttpStatusCode.Redirect);
        login.Location.ShouldBe("/");

        var home = await client.GetAsync("/");
        home.Status.ShouldBe(HttpStatusCode.OK);
        var document = home.Document;
        document.QuerySelector("h1.holder-name")!.TextContent.ShouldBe("Mario Rossi");
        document.QuerySelectorAll(".boxes > .box-slot").Select(b => b.QuerySelector("h2")!.TextContent).ShouldBe(
            ["Signature certificate", "OTP codes", "Signature history", "Signature PIN", "Renew digital signature", "Suspension and revocation"]);
        home.Text.ShouldContain("REMOTE SIGNATURE");
        home.Text.ShouldContain("Signatures made in the last week");
        home.Text.ShouldContain("Total uses of digital signature");
        home.Document.QuerySelector("#box-certificate")!.TextContent.ShouldMatch(@"IUT\d{14}");
        home.Response.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }

    [Fact]
    public async Task each_box_is_also_served_alone_by_its_module_as_an_htmx_fragment()
    {
        using var client = app.Client();
        await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        foreach (var (path, heading) in new[]
                 {
                     ("/portal/boxes/certificate", "Signature certificate"), ("/portal/boxes/otp", "OTP codes"),
                     ("/portal/boxes/history", "Signature history"), ("/portal/boxes/pin", "Signature PIN"),
                     ("/portal/boxes/renewal", "Renew digital signature"), ("/portal/boxes/suspension", "Suspension and revocation"),
                 })
        {
            var box = await client.GetAsync(path, htmx: true);
            box.Status.ShouldBe(HttpStatusCode.OK);
            box.Html.ShouldNotContain("<html", Case.Insensitive);
            box.Html.ShouldContain(heading);
            box.Response.Headers.Vary.ShouldContain("HX-Request");
        }
    }

    [Fact]
    public async Task a_wrong_password_gets_a_clear_message_keeps_the_user_id_and_shows_no_stack_trace()
    {
        using var client = app.Client();
        var page = await client.LoginAsync(Demo.HolderUserId, "not-the-password");
        page.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        page.Document.QuerySelector("#login-error")!.TextContent.ShouldContain("not correct");
        ((AngleSharp.Html.Dom.IHtmlInputElement)page.Document.QuerySelector("#user_id")!).Value.ShouldBe(Demo.HolderUserId);
        page.Html.ShouldNotContain("Exception");
        page.Html.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task unknown_and_known_user_ids_get_the_same_answer_to_a_wrong_password()
    {
        using var first = app.Client();
        using var second = app.Client();
        var known = await first.LoginAsync(Demo.HolderUserId, "wrong-password-1");
        var unknown = await second.LoginAsync("x999999", "wrong-password-1");
        unknown.Status.ShouldBe(known.Status);
        unknown.Document.QuerySelector("#login-error")!.TextContent.ShouldBe(known.Document.QuerySelector("#login-error")!.TextContent);
    }

    [Fact]
    public async Task the_home_page_sends_an_anonymous_visitor_to_the_login_page()
    {
        using var client = app.Client();
        var page = await client.GetAsync("/");
        page.Status.ShouldBe(HttpStatusCode.Redirect);
        page.Location.ShouldBe("/login");
        var box = await client.GetAsync("/portal/boxes/certificate", htmx: true);
        box.Status.ShouldBe(HttpStatusCode.Unauthorized);
        box.Response.Headers.GetValues("HX-Redirect").ShouldContain("/login");
    }

    [Fact]
    public async Task get_out_ends_the_session_on_the_server_so_the_old_cookie_no_longer_works()
    {
        using var client = app.Client();
        await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        var cookieHeader = client.Cookies.GetCookieHeader(new Uri("http://localhost/"));
        (await client.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);

        var logout = await client.PostAsync("/logout", new Dictionary<string, string>());
        logout.Status.ShouldBe(HttpStatusCode.Redirect);
        logout.Location.ShouldBe("/login?bye=1");

        // Replaying the cookie captured while signed in: the server no longer knows that session.
        using var replay = app.Client();
        var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookieHeader);
        var page = await replay.SendAsync(request);
        page.Status.ShouldBe(HttpStatusCode.Redirect);
        page.Location.ShouldBe("/login?expired=1");
    }

    [Fact]
    public async Task a_new_session_id_is_issued_at_sign_in()
    {
        using var client = app.Client();
        await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        var first = client.Cookies.GetCookies(new Uri("http://localhost/"))["mysign"]!.Value;
        await client.GetAsync("/login");
        await client.PostAsync("/login", new Dictionary<string, string> { ["user_id"] = Demo.HolderUserId, ["password"] = Demo.HolderPassword });
        var second = client.Cookies.GetCookies(new Uri("http://localhost/"))["mysign"]!.Value;
        second.ShouldNotBe(first);
    }

    [Fact]
    public async Task the_session_cookie_is_http_only_same_site_and_host_wide()
    {
        using var client = app.Client();
        var signIn = await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        var cookie = signIn.Response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mysign=", StringComparison.Ordinal)).ToLowerInvariant();
        cookie.ShouldContain("httponly");
        cookie.ShouldContain("samesite=lax");
        cookie.ShouldContain("path=/");
        cookie.ShouldNotContain("domain=", Case.Insensitive, "a host-only cookie, as the __Host- prefix requires in production");
        var production = new MySign.Accounts.Sessions.SessionOptions { SecureCookies = true };
        production.CookieName.ShouldBe("__Host-mysign");
    }

    [Fact]
    public async Task an_idle_session_expires_and_the_login_page_says_so()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        (await client.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);
        await using (var session = app.Store.LightweightSession())
        {
            var sessions = await session.Query<MySign.Accounts.Domain.PortalSession>().Where(s => s.PrincipalId == holder.Id).ToListAsync();
            foreach (var s in sessions) s.LastSeenAt = DateTimeOffset.UtcNow - new MySign.Accounts.Sessions.SessionOptions().IdleTimeout - TimeSpan.FromMinutes(1);
            session.Store(sessions.ToArray());
            await session.SaveChangesAsync();
        }
        var home = await client.GetAsync("/");
        home.Status.ShouldBe(HttpStatusCode.Redirect);
        home.Location.ShouldBe("/login?expired=1");
        (await client.GetAsync(home.Location!)).Text.ShouldContain("Your session has expired. Please sign in again.");
    }
}
