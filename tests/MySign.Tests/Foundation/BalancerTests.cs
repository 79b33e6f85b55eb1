using MySign.Dev;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace MySign.Tests.Foundation;

/// <summary>
/// Two nodes behind a real balancer (Debian's HAProxy) that checks /health as fly.toml's check does, and a real
/// PostgreSQL restart under them. Liveness does not depend on the database, so the balancer keeps both nodes: people
/// get the translated 503 page and software the JSON 503 with Retry-After — never the balancer's bare 503 — and
/// everything works again once PostgreSQL is back.
/// </summary>
[Trait("Shake", "concurrency")]
public sealed class BalancerTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();
    private readonly AppProcess _a = new(), _b = new();
    private PrivatePostgres _postgres = null!;
    private Process _haproxy = null!;
    private readonly StringBuilder _haproxyOutput = new();
    private readonly string _config = Path.Combine(Path.GetTempPath(), $"mysign-haproxy-{Guid.NewGuid():N}.cfg");
    private Uri _front = null!;

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        _postgres = await PrivatePostgres.StartAsync();
        await _a.StartAsync(_smtp, server: _postgres.ServerConnectionString);
        await _b.JoinAsync(_a, _smtp);
        var port = SmtpServer.FreePort();
        _front = new Uri($"http://127.0.0.1:{port}");
        // The check fly.toml configures: GET /health, a node out after two failures half a second apart.
        await File.WriteAllTextAsync(_config, $"""
            global
              maxconn 256
            defaults
              mode http
              timeout connect 2s
              timeout client 30s
              timeout server 30s
            frontend portal
              bind 127.0.0.1:{port}
              default_backend nodes
            backend nodes
              option httpchk GET /health
              http-check expect status 200
              default-server inter 500ms fall 2 rise 1
              server a {_a.BaseAddress.Authority} check
              server b {_b.BaseAddress.Authority} check

            """);
        _haproxy = Process.Start(new ProcessStartInfo("haproxy", ["-f", _config, "-db"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _haproxy.OutputDataReceived += (_, e) => { lock (_haproxyOutput) _haproxyOutput.AppendLine(e.Data); };
        _haproxy.ErrorDataReceived += (_, e) => { lock (_haproxyOutput) _haproxyOutput.AppendLine(e.Data); };
        _haproxy.BeginOutputReadLine();
        _haproxy.BeginErrorReadLine();
        using var http = Client();
        for (var i = 0; i < 100; i++)
        {
            try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) return; } catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("HAProxy did not start:\n" + _haproxyOutput);
    }

    public async Task DisposeAsync()
    {
        if (!_haproxy.HasExited) _haproxy.Kill();
        await _haproxy.WaitForExitAsync();
        File.Delete(_config);
        // A failed run may leave PostgreSQL stopped; the nodes' database is dropped on it.
        try { await _postgres.StartServerAsync(); } catch (InvalidOperationException) { /* it runs */ }
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _postgres.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    /// <summary>Both nodes answer /health/ready through the balancer twice in a row (round-robin: one answer from each).</summary>
    private async Task ReadyAsync()
    {
        using var http = Client();
        for (var i = 0; i < 600; i++)
        {
            var ready = 0;
            for (var j = 0; j < 2; j++)
                try { if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) ready++; } catch (HttpRequestException) { }
            if (ready == 2) return;
            await Task.Delay(100);
        }
        throw new InvalidOperationException("The two nodes never both answered ready.");
    }

    private HttpClient Client() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _front };

    [Fact]
    public async Task while_postgresql_restarts_the_balancer_keeps_both_nodes_and_every_caller_gets_our_503_then_all_recovers()
    {
        // The story starts from a ready cluster: on a shaken machine a node can still be waiting for its first database
        // connection when the balancer already routes to it (round 20 of a shake met a 503 before anything was stopped).
        await ReadyAsync();
        using var holder = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _front);
        (await holder.LoginAsync(Demo.HolderUserId, Demo.HolderPassword)).Status.ShouldBe(HttpStatusCode.Redirect);
        (await holder.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);
        using var csc = Client();
        using (var login = new HttpRequestMessage(HttpMethod.Post, "/csc/v2/auth/login"))
        {
            login.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Demo.HolderUserId}:{Demo.HolderPassword}")));
            using var answer = await csc.SendAsync(login);
            answer.StatusCode.ShouldBe(HttpStatusCode.OK);
            csc.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());
        }

        await _postgres.StopServerAsync();
        // Long enough for the balancer to have taken out any node whose check failed (two failures, 0.5 s apart).
        var until = DateTime.UtcNow.AddSeconds(4);
        var pages = 0;
        while (DateTime.UtcNow < until)
        {
            var page = await holder.GetAsync("/");
            page.Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            page.Html.ShouldNotContain("No server is available", Case.Insensitive, "the balancer's own 503 means it dropped the nodes");
            page.Text.ShouldContain("temporarily unavailable");
            page.Response.Headers.RetryAfter.ShouldNotBeNull();
            using var list = await csc.PostAsync("/csc/v2/credentials/list", new StringContent("{}", Encoding.UTF8, "application/json"));
            list.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            list.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
            list.Headers.RetryAfter.ShouldNotBeNull();
            pages++;
            await Task.Delay(250);
        }
        pages.ShouldBeGreaterThanOrEqualTo(3);

        await _postgres.StartServerAsync();
        var back = DateTime.UtcNow;
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            status = (await holder.GetAsync("/")).Status;
        } while (status != HttpStatusCode.OK && DateTime.UtcNow - back < TimeSpan.FromSeconds(30));
        status.ShouldBe(HttpStatusCode.OK, "both nodes recover by themselves once PostgreSQL is back");
        using (var list = await csc.PostAsync("/csc/v2/credentials/list", new StringContent("{}", Encoding.UTF8, "application/json")))
            list.StatusCode.ShouldBe(HttpStatusCode.OK);
        // The outage's requests are logged as 503s, none as an unhandled 500.
        _a.Output.Split('\n').Concat(_b.Output.Split('\n')).Where(LoggedErrors.Unhandled).ShouldBeEmpty();
    }
}
