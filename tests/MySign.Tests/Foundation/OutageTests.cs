using MySign.Dev;
using System.Net.Http.Headers;
using System.Text;

namespace MySign.Tests.Foundation;

/// <summary>
/// PostgreSQL becomes unreachable under the app (a relay in front of it is cut) while people, client software and the
/// payment provider keep calling: nobody gets a 500 or a stack trace, software gets a JSON 503 with Retry-After (so a
/// provider retries its webhook instead of dropping the payment), and everything works again once the database is back.
/// </summary>
public sealed class OutageTests : IAsyncLifetime
{
    private const string Secret = "outage-test-webhook-secret";
    private readonly SmtpServer _smtp = new();
    private readonly AppProcess _app = new();
    private TcpProxy _relay = null!;

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        var server = new Npgsql.NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString);
        _relay = new TcpProxy(server.Host!, server.Port);
        await _app.StartAsync(_smtp, new Dictionary<string, string> { ["Billing__Payments__WebhookSecret"] = Secret, ["Wolverine__Mode"] = "Solo" }, _relay.Route);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _relay.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private HttpClient Http() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _app.BaseAddress };

    private static HttpRequestMessage Webhook() => ProviderWebhook.Paid(Secret, Guid.NewGuid());

    [Fact]
    public async Task during_a_database_outage_pages_get_the_503_page_software_gets_json_503_and_all_recovers_by_itself()
    {
        using var holder = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _app.BaseAddress);
        (await holder.LoginAsync(Demo.HolderUserId, Demo.HolderPassword)).Status.ShouldBe(HttpStatusCode.Redirect);
        (await holder.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);
        using var csc = Http();
        using (var login = new HttpRequestMessage(HttpMethod.Post, "/csc/v2/auth/login"))
        {
            login.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Demo.HolderUserId}:{Demo.HolderPassword}")));
            using var answer = await csc.SendAsync(login);
            answer.StatusCode.ShouldBe(HttpStatusCode.OK);
            var token = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
            csc.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var webhooks = Http();
        (await webhooks.SendAsync(Webhook())).StatusCode.ShouldBe(HttpStatusCode.OK, "a valid webhook is accepted while the database is up");

        _relay.Cut();
        var home = await holder.GetAsync("/");
        home.Status.ShouldBe(HttpStatusCode.ServiceUnavailable, _app.Output[^Math.Min(6000, _app.Output.Length)..]);
        home.Text.ShouldContain("temporarily unavailable");
        home.Html.ShouldNotContain("Exception");

        for (var i = 0; i < 5; i++)
        {
            using var hook = await webhooks.SendAsync(Webhook());
            hook.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, "a provider must be told to retry, not that the form expired");
            hook.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
            hook.Headers.RetryAfter.ShouldNotBeNull();
            (await hook.Content.ReadAsStringAsync()).ShouldContain("temporarily_unavailable");

            using var list = await csc.PostAsync("/csc/v2/credentials/list", new StringContent("{}", Encoding.UTF8, "application/json"));
            list.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            list.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        }
        var italian = new HttpRequestMessage(HttpMethod.Get, "/");
        italian.Headers.AcceptLanguage.ParseAdd("it-IT");
        var page = await holder.SendAsync(italian);
        page.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        page.Text.ShouldContain("momentaneamente non disponibile");

        _relay.Restore();
        var back = DateTime.UtcNow;
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            status = (await holder.GetAsync("/")).Status;
        } while (status != HttpStatusCode.OK && DateTime.UtcNow - back < TimeSpan.FromSeconds(5));
        status.ShouldBe(HttpStatusCode.OK, "the app recovers by itself within 5 s of the database coming back:\n" + _app.Output[^Math.Min(3000, _app.Output.Length)..]);
        (await webhooks.SendAsync(Webhook())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await csc.PostAsync("/csc/v2/credentials/list", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The outage's requests are logged as the 503s they were (warnings), none as an unhandled 500 with a stack trace.
        var lines = _app.Output.Split('\n');
        lines.Where(LoggedErrors.Unhandled).ShouldBeEmpty();
        lines.Count(l => l.Contains("WRN] HTTP GET / responded 503")).ShouldBeGreaterThanOrEqualTo(2, "the pages' 503s are warnings");
    }
}
