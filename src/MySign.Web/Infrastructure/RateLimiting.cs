using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using MySign.Kernel.Web;
using Npgsql;
using Wolverine;

namespace MySign.Web.Infrastructure;

/// <summary>
/// Per-address limits on the doors that take a secret (on top of each account's lockout): so many requests per window
/// (20 sign-ins, 5 recovery requests, 5 emergency codes, 30 Trusty questions a minute by default), lifted when the
/// window turns; a refused request gets 429 with Retry-After. The counts live in PostgreSQL, so every node sees the
/// same ones: three nodes allow what one does, not three times as much. Behind fly.io's proxy the client's address is
/// the last X-Forwarded-For hop (Network:TrustForwardedFor), believed only from the proxy's networks
/// (Network:TrustedProxies). An endpoint opts in with ASP.NET's [EnableRateLimiting(policy)].
/// </summary>
public static class RateLimiting
{
    public sealed record Policy(int Permits);

    public sealed record Settings(TimeSpan Window, IReadOnlyDictionary<string, Policy> Policies);

    public static void AddPortalRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new Settings(configuration.GetValue("RateLimits:Window", TimeSpan.FromMinutes(1)), new Dictionary<string, Policy>
        {
            [RateLimits.Login] = new(configuration.GetValue("RateLimits:LoginPerWindow", 20)),
            [RateLimits.Recovery] = new(configuration.GetValue("RateLimits:RecoveryPerWindow", 5)),
            [RateLimits.Emergency] = new(configuration.GetValue("RateLimits:EmergencyPerWindow", 5)),
            [RateLimits.Assistant] = new(configuration.GetValue("RateLimits:AssistantPerWindow", 30)),
        }));
        services.AddSingleton<AddressWindows>();
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
}

/// <summary>One address's count in one window of one policy (Id "policy:address"), kept by single SQL statements.</summary>
public sealed class RateWindow
{
    public string Id { get; set; } = "";
    /// <summary>When the window opened (seconds since the epoch, by the database's clock).</summary>
    public double Start { get; set; }
    public int Hits { get; set; }
}

/// <summary>Counts a request against its address's window, atomically and across nodes.</summary>
public sealed class AddressWindows(NpgsqlDataSource database, RateLimiting.Settings settings)
{
    private const string Table = "host.mt_doc_ratewindow";

    /// <summary>True when the request is within the limit; otherwise the seconds until the window turns.</summary>
    public async Task<(bool Allowed, int RetryAfterSeconds)> TakeAsync(string policy, string address, CancellationToken cancellation)
    {
        var permits = settings.Policies[policy].Permits;
        var seconds = settings.Window.TotalSeconds;
        // A window opens at an address's first request and lasts the window's length (the database's clock, one for every node).
        await using var command = database.CreateCommand(
            $"insert into {Table} as w (id, data, mt_dotnet_type) " +
            "select $1, jsonb_build_object('Id', $1, 'Start', extract(epoch from clock_timestamp())::float8, 'Hits', 1), $3 " +
            "on conflict (id) do update set data = case when (w.data->>'Start')::float8 + $2 > (excluded.data->>'Start')::float8 " +
            "then jsonb_set(w.data, '{Hits}', to_jsonb((w.data->>'Hits')::int + 1)) else excluded.data end, " +
            "mt_last_modified = transaction_timestamp() " +
            "returning (data->>'Hits')::int, ceil((data->>'Start')::float8 + $2 - extract(epoch from clock_timestamp()))::int");
        command.Parameters.Add(new NpgsqlParameter { Value = $"{policy}:{address}" });
        command.Parameters.Add(new NpgsqlParameter { Value = seconds });
        command.Parameters.Add(new NpgsqlParameter { Value = typeof(RateWindow).FullName! });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        var hits = reader.GetInt32(0);
        return (hits <= permits, Math.Max(1, reader.GetInt32(1)));
    }

    /// <summary>Windows that ended an hour ago or more tell nothing any more.</summary>
    public async Task PurgeAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"delete from {Table} where (data->>'Start')::float8 + $1 < extract(epoch from clock_timestamp()) - 3600");
        command.Parameters.Add(new NpgsqlParameter { Value = settings.Window.TotalSeconds });
        await command.ExecuteNonQueryAsync(cancellation);
    }
}

/// <summary>Applies the endpoint's [EnableRateLimiting] policy by the caller's address (after forwarded headers are read).</summary>
public sealed class AddressLimits(RequestDelegate next, AddressWindows windows)
{
    public async Task Invoke(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName is not { } policy)
        {
            await next(context);
            return;
        }
        var (allowed, retryAfter) = await windows.TakeAsync(policy, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", context.RequestAborted);
        if (allowed)
        {
            await next(context);
            return;
        }
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Client software gets the API's JSON error; people get the 429 page (the status code pages).
        if (ApiPaths.Is(context.Request.Path))
            await response.WriteAsJsonAsync(new { error = "too_many_requests", error_description = $"Too many requests: retry in {retryAfter} seconds" }, context.RequestAborted);
    }
}

/// <summary>The hourly sweep of ended windows, once per cluster (a Wolverine recurring schedule).</summary>
public sealed record PurgeRateWindows;

public static class PurgeRateWindowsHandler
{
    public static Task Handle(PurgeRateWindows _, AddressWindows windows, CancellationToken cancellation) => windows.PurgeAsync(cancellation);

    public static void AddRateWindowSchedule(this WolverineOptions wolverine) => wolverine.Schedules.ScheduleRecurring<PurgeRateWindows>("17 * * * *");
}
