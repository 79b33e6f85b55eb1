using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using MySign.Accounts.Recovery;

namespace MySign.Web.Infrastructure;

/// <summary>
/// Per-IP limits on sign-in and password recovery (on top of the per-account lockout): so many requests per
/// window (20 sign-ins, 5 recovery requests a minute by default), lifted when the window turns; a refused request
/// gets 429 with Retry-After. Behind fly.io's proxy the client's address is the last X-Forwarded-For hop
/// (Network:TrustForwardedFor).
/// </summary>
public static class RateLimiting
{
    public static void AddPortalRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var login = configuration.GetValue("RateLimits:LoginPerWindow", 20);
        var recovery = configuration.GetValue("RateLimits:RecoveryPerWindow", 5);
        var window = configuration.GetValue("RateLimits:Window", TimeSpan.FromMinutes(1));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window;
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
            options.AddPolicy(RateLimits.Login, http => PerIp(http, "login", login, window));
            options.AddPolicy(RateLimits.Recovery, http => PerIp(http, "recovery", recovery, window));
        });
        if (configuration.GetValue("Network:TrustForwardedFor", false))
        {
            services.Configure<ForwardedHeadersOptions>(options =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                options.ForwardLimit = 1; // only the hop our proxy appended
                options.KnownIPNetworks.Clear();
                options.KnownProxies.Clear();
            });
        }
    }

    private static RateLimitPartition<string> PerIp(HttpContext http, string name, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter($"{name}:{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = window, QueueLimit = 0,
        });
}
