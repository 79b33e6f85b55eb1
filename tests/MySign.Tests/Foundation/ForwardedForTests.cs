namespace MySign.Tests.Foundation;

/// <summary>
/// X-Forwarded-For is the client's address only when the connection comes from the proxy in front (fly.io's network,
/// Network__TrustedProxies). Anyone who reaches a node directly and writes the header themselves is still counted by
/// their own address: rotating the header does not buy more sign-in attempts.
/// </summary>
public sealed class ForwardedForTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();

    public Task InitializeAsync() => _smtp.StartAsync();
    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    /// <summary>Thirty sign-ins, each claiming another address; how many were refused by the per-address limit (20 a minute).</summary>
    private static async Task<int> RotatedSignInsRefusedAsync(AppProcess app)
    {
        using var visitor = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true }, app.BaseAddress);
        await visitor.GetAsync("/login");
        var refused = 0;
        for (var i = 0; i < 30; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = visitor.Token!, ["user_id"] = "m000001", ["password"] = "guess-" + i }),
            };
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            if ((await visitor.SendAsync(request)).Status == HttpStatusCode.TooManyRequests) refused++;
        }
        return refused;
    }

    [Fact]
    public async Task the_header_counts_only_from_the_configured_proxy_network()
    {
        await using (var direct = new AppProcess())
        {
            // The proxy lives elsewhere: this client (127.0.0.1) reaches the node directly.
            await direct.StartAsync(_smtp, new Dictionary<string, string> { ["Network__TrustForwardedFor"] = "true", ["Network__TrustedProxies"] = "10.99.0.0/16" });
            (await RotatedSignInsRefusedAsync(direct)).ShouldBe(10, "a direct caller is limited by its own address, whatever header it writes");
        }
        await using (var proxied = new AppProcess())
        {
            // The proxy is on this machine: the header it appends names the client, and each client has its own budget.
            await proxied.StartAsync(_smtp, new Dictionary<string, string> { ["Network__TrustForwardedFor"] = "true", ["Network__TrustedProxies"] = "127.0.0.1/32" });
            (await RotatedSignInsRefusedAsync(proxied)).ShouldBe(0, "thirty clients behind the proxy, one attempt each");
        }
    }
}
