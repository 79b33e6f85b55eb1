using MySign.Dev;

namespace MySign.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class SafetyTests(AppFixture app)
{
    [Fact]
    public async Task a_post_without_the_antiforgery_token_is_refused_and_changes_nothing()
    {
        using var client = app.Client();
        await client.GetAsync("/login");
        var page = await client.PostAsync("/login",
            new Dictionary<string, string> { ["user_id"] = Demo.HolderUserId, ["password"] = Demo.HolderPassword }, withToken: false);
        page.Status.ShouldBe(HttpStatusCode.BadRequest);
        client.Cookies.GetCookies(new Uri("http://localhost/"))["mysign"].ShouldBeNull();
    }

    /// <summary>
    /// A form that expired (signed in or out in another tab since it was loaded) is answered with a page of the portal that
    /// says so, in the reader's language, with the way back to the form: it used to be a line of plain text, no header, no link.
    /// </summary>
    [Theory]
    [InlineData("en", "This form has expired", "Reload the page")]
    [InlineData("it", "Questo modulo è scaduto", "Ricarica la pagina")]
    public async Task an_expired_form_gets_a_page_that_says_so_and_leads_back_to_the_form(string language, string title, string back)
    {
        using var client = app.Client();
        await client.GetAsync("/emergency");
        await client.PostAsync("/lang", new Dictionary<string, string> { ["lang"] = language, ["return"] = "/emergency" });
        var request = new HttpRequestMessage(HttpMethod.Post, "/emergency")
            { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = "expired", ["user_id"] = "m1" }) };
        request.Headers.Referrer = new Uri("http://localhost/emergency");
        var page = await client.SendAsync(request);

        page.Status.ShouldBe(HttpStatusCode.BadRequest);
        page.Response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        page.Document.QuerySelector("h1")!.TextContent.ShouldBe(title);
        page.Document.QuerySelector(".error-page a.button")!.TextContent.ShouldContain(back);
        page.Document.QuerySelector(".error-page a.button")!.GetAttribute("href").ShouldBe("/emergency");
    }

    [Fact]
    public async Task get_out_without_the_antiforgery_token_leaves_the_session_alive()
    {
        using var client = app.Client();
        await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        (await client.PostAsync("/logout", new Dictionary<string, string>(), withToken: false)).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_token_from_another_browser_is_refused()
    {
        using var mallory = app.Client();
        await mallory.GetAsync("/login");
        using var victim = app.Client();
        await victim.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        var forged = await victim.PostAsync("/logout", new Dictionary<string, string> { ["__RequestVerificationToken"] = mallory.Token! }, withToken: false);
        forged.Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task every_page_carries_the_strict_security_headers()
    {
        using var client = app.Client();
        var page = await client.GetAsync("/login");
        var headers = page.Response.Headers;
        var csp = headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("script-src 'self'");
        csp.ShouldNotContain("unsafe-inline");
        csp.ShouldNotContain("unsafe-eval");
        csp.ShouldContain("frame-ancestors 'none'");
        headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        headers.GetValues("Referrer-Policy").ShouldNotBeEmpty();
        headers.GetValues("X-Correlation-Id").Single().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task htmx_is_served_by_the_app_and_configured_safely()
    {
        using var client = app.Client();
        var script = await client.GetAsync("/js/htmx.min.js");
        script.Status.ShouldBe(HttpStatusCode.OK);
        script.Html.ShouldContain("version:\"2.0.11\"");
        var login = await client.GetAsync("/login");
        var config = login.Document.QuerySelector("meta[name=htmx-config]")!.GetAttribute("content")!;
        using var json = System.Text.Json.JsonDocument.Parse(config);
        json.RootElement.GetProperty("selfRequestsOnly").GetBoolean().ShouldBeTrue();
        json.RootElement.GetProperty("allowScriptTags").GetBoolean().ShouldBeFalse();
        json.RootElement.GetProperty("allowEval").GetBoolean().ShouldBeFalse();
        json.RootElement.GetProperty("historyCacheSize").GetInt32().ShouldBe(0);
        json.RootElement.GetProperty("responseHandling").EnumerateArray()
            .ShouldContain(r => r.GetProperty("code").GetString() == "422" && r.GetProperty("swap").GetBoolean());
        login.Document.Body!.GetAttribute("hx-headers")!.ShouldContain("RequestVerificationToken");
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/db")]
    public async Task liveness_and_the_database_check_answer_ok(string path)
    {
        var result = await app.Host.Scenario(s =>
        {
            s.Get.Url(path);
            s.StatusCodeShouldBe(200);
        });
        (await result.ReadAsTextAsync()).ShouldBe("ok");
    }

    [Fact]
    public async Task a_non_ascii_return_address_is_sent_back_percent_encoded_never_a_500()
    {
        using var client = app.Client();
        await client.GetAsync("/login");
        var switched = await client.PostAsync("/lang", new Dictionary<string, string> { ["lang"] = "it", ["return"] = "/é?q=città" });
        switched.Status.ShouldBe(HttpStatusCode.Redirect);
        switched.Location.ShouldBe("/%C3%A9?q=citt%C3%A0");

        var form = await client.GetAsync("/login?next=/%C3%A9");
        form.Status.ShouldBe(HttpStatusCode.OK);
        var holder = await Holders.CreateAsync(app.Store);
        var signedIn = await client.PostAsync("/login", new() { ["user_id"] = holder.Id, ["password"] = holder.Password, ["next"] = "/é" });
        signedIn.Status.ShouldBe(HttpStatusCode.Redirect);
        signedIn.Location.ShouldBe("/%C3%A9");
    }

    [Fact]
    public async Task an_unknown_page_gets_a_friendly_404_and_the_language_switch_refuses_open_redirects()
    {
        using var client = app.Client();
        var missing = await client.GetAsync("/no-such-page");
        missing.Status.ShouldBe(HttpStatusCode.NotFound);
        missing.Text.ShouldContain("does not exist");

        await client.GetAsync("/login");
        foreach (var target in new[] { "//evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example/", "\\\\evil.example", " //evil.example" })
        {
            var away = await client.PostAsync("/lang", new Dictionary<string, string> { ["lang"] = "it", ["return"] = target });
            away.Location.ShouldBe("/", $"'{target}' is not a local path");
        }
        (await client.PostAsync("/lang", new Dictionary<string, string> { ["lang"] = "en", ["return"] = "/history?from=2026-01-01" })).Location.ShouldBe("/history?from=2026-01-01");
    }

    /// <summary>A body whose length is not announced (sent chunked): limits must hold on the bytes that arrive.</summary>
    private sealed class Unannounced(long length, byte fill = (byte)'a') : Stream
    {
        private long _left = length;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _left);
            Array.Fill(buffer, fill, offset, n);
            _left -= n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData("/webhooks/payments/card", 200 * 1024)]
    [InlineData("/webhooks/bank/camt053", 6 * 1024 * 1024)]
    [InlineData("/csc/v2/credentials/info", 17 * 1024 * 1024)]
    public async Task chunked_bodies_over_an_endpoints_limit_are_refused_on_the_bytes_read(string path, int size)
    {
        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        if (path.Contains("camt053")) http.DefaultRequestHeaders.Authorization = new("Bearer", AppFixture.BankImportToken);
        if (path.Contains("csc"))
        {
            using var login = new HttpRequestMessage(HttpMethod.Post, "/csc/v2/auth/login");
            login.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Demo.HolderUserId}:{Demo.HolderPassword}")));
            login.Headers.Add("X-Forwarded-For", "10.250.1." + Random.Shared.Next(1, 250));
            var token = System.Text.Json.JsonDocument.Parse(await (await http.SendAsync(login)).Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        var content = new StreamContent(new Unannounced(size));
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentLength.ShouldBeNull("sent without a length");
        using var response = await http.PostAsync(path, content);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
    }

    [Fact]
    public async Task an_upload_over_the_form_limits_gets_a_413_page_in_the_visitors_language_not_a_500()
    {
        using var client = app.Client();
        await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword);
        await client.GetAsync("/");
        using var form = new MultipartFormDataContent("limit-boundary");
        form.Add(new StringContent(client.Token!), "__RequestVerificationToken");
        form.Add(new StreamContent(new Unannounced(22L * 1024 * 1024)), "document", "huge.pdf");
        var request = new HttpRequestMessage(HttpMethod.Post, "/sign") { Content = form };
        request.Headers.AcceptLanguage.ParseAdd("it-IT");
        var page = await client.SendAsync(request);
        page.Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        page.Text.ShouldContain("troppo grande");
        var field = await client.PostAsync("/account/personal", new Dictionary<string, string> { ["address"] = new string('x', 100_000) });
        field.Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task values_reaching_a_page_are_html_escaped()
    {
        // A holder whose name is markup: the page shows it as text.
        var id = "x" + Random.Shared.Next(100000, 999999);
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new MySign.Accounts.Domain.HolderAccount
            {
                Id = id, FirstName = "<script>alert(1)</script>", LastName = "<b>Bold</b>",
                PasswordHash = MySign.Accounts.Domain.Passwords.Hash("a-long-password-1234"),
            });
            await session.SaveChangesAsync();
        }
        using var client = app.Client();
        await client.LoginAsync(id, "a-long-password-1234");
        var home = await client.GetAsync("/");
        home.Html.ShouldNotContain("<script>alert(1)</script>");
        home.Html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        home.Document.QuerySelector("h1.holder-name")!.TextContent.ShouldBe("<script>alert(1)</script> <b>Bold</b>");
    }
}
