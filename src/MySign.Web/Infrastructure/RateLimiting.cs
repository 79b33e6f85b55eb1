using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using MySign.Accounts.Recovery;

namespace MySign.Web.Infrastructure;

/// <summary>
/// Per-IP limits on sign-in and password recovery (on top of the per-account lockout). Behind fly.io's
/// proxy the client's address is the last X-Forwarded-For hop (Network:TrustForwardedFor).
/// </summary>
public static class RateLimiting
{
    public static void AddPortalRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var login = configuration.GetValue("RateLimits:LoginPerMinute", 20);
        var recovery = configuration.GetValue("RateLimits:RecoveryPerMinute", 5);
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
            options.AddPolicy(RateLimits.Login, http => PerIp(http, "login", login));
            options.AddPolicy(RateLimits.Recovery, http => PerIp(http, "recovery", recovery));
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

    private static RateLimitPartition<string> PerIp(HttpContext http, string name, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter($"{name}:{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
        });
}
