using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using MySign.Kernel.Web;

namespace MySign.Web.Infrastructure;

/// <summary>
/// Per-IP limits on sign-in and password recovery (on top of the per-account lockout): so many requests per
/// window (20 sign-ins, 5 recovery requests a minute by default), lifted when the window turns; a refused request
/// gets 429 with Retry-After. Behind fly.io's proxy the client's address is the last X-Forwarded-For hop
/// (Network:TrustForwardedFor), believed only from the proxy's networks (Network:TrustedProxies).
/// </summary>
public static class RateLimiting
{
    public static void AddPortalRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var login = configuration.GetValue("RateLimits:LoginPerWindow", 20);
        var recovery = configuration.GetValue("RateLimits:RecoveryPerWindow", 5);
        var assistant = configuration.GetValue("RateLimits:AssistantPerWindow", 30);
        var window = configuration.GetValue("RateLimits:Window", TimeSpan.FromMinutes(1));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window;
                var seconds = (int)Math.Ceiling(wait.TotalSeconds);
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                // Client software gets the API's JSON error; people get the 429 page (the status code pages).
                return ApiPaths.Is(context.HttpContext.Request.Path)
                    ? new ValueTask(response.WriteAsJsonAsync(new { error = "too_many_requests", error_description = $"Too many requests: retry in {seconds} seconds" }))
                    : ValueTask.CompletedTask;
            };
            options.AddPolicy(RateLimits.Login, http => PerIp(http, "login", login, window));
            options.AddPolicy(RateLimits.Recovery, http => PerIp(http, "recovery", recovery, window));
            options.AddPolicy(RateLimits.Assistant, http => PerIp(http, "assistant", assistant, window));
        });
        if (configuration.GetValue("Network:TrustForwardedFor", false))
        {
            var proxies = TrustedProxies(configuration);
            services.Configure<ForwardedHeadersOptions>(options =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                options.ForwardLimit = 1; // only the hop our proxy appended
                // Only a connection from the proxy's own network may say who the client is; anyone else is their own address.
                options.KnownProxies.Clear();
                options.KnownIPNetworks.Clear();
                foreach (var network in proxies) options.KnownIPNetworks.Add(network);
            });
        }
    }

    /// <summary>
    /// Network:TrustedProxies: the networks the proxy in front connects from, comma-separated CIDR (fly.toml names
    /// fly.io's private networks). Without it only a proxy on the same machine (loopback) is believed.
    /// </summary>
    public static IReadOnlyList<System.Net.IPNetwork> TrustedProxies(IConfiguration configuration)
    {
        var listed = (configuration["Network:TrustedProxies"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (listed.Length == 0) listed = ["127.0.0.0/8", "::1/128"];
        return listed.Select(cidr => System.Net.IPNetwork.TryParse(cidr, out var network) ? network
            : throw new InvalidOperationException($"Network:TrustedProxies: \"{cidr}\" is not a network in CIDR form (e.g. 172.16.0.0/12).")).ToList();
    }

    private static RateLimitPartition<string> PerIp(HttpContext http, string name, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter($"{name}:{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = window, QueueLimit = 0,
        });
}
