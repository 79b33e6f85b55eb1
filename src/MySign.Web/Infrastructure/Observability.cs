using System.Net.Sockets;
using Microsoft.Extensions.Options;
using MySign.Kernel.Mail;
using MySign.Kernel.Operations;
using Npgsql;
using OpenTelemetry.Metrics;

namespace MySign.Web.Infrastructure;

/// <summary>
/// What an operator watches: OpenTelemetry metrics (HTTP requests by route and status, runtime, and the portal's own
/// counters) exported in Prometheus' text format at /metrics, which needs `Authorization: Bearer $Metrics__Token`
/// (and is not served at all in Production without a token); readiness checks for /health/ready.
/// </summary>
public static class Observability
{
    public static void AddObservability(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Telemetry.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        services.AddSingleton<IReadinessCheck, DatabaseReadiness>();
        services.AddSingleton<IReadinessCheck, SmtpReadiness>();
        services.AddHostedService<QueueDepthGauge>();
    }

    /// <summary>/metrics for whoever holds the token; in Development also without one.</summary>
    public static void MapMetrics(this WebApplication app)
    {
        var token = app.Configuration["Metrics:Token"] ?? "";
        if (token.Length == 0 && !app.Environment.IsDevelopment()) return;
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/metrics"), branch => branch.Use(async (context, next) =>
        {
            var given = context.Request.Headers.Authorization.ToString();
            if (token.Length > 0 && !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes("Bearer " + token)))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            await next(context);
        }));
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
    }
}

public sealed class DatabaseReadiness(NpgsqlDataSource database) : IReadinessCheck
{
    public string Name => "database";

    public async Task<bool> IsReadyAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand("select 1");
        return await command.ExecuteScalarAsync(cancellation) is 1;
    }
}

/// <summary>The SMTP relay accepts a connection (nothing is sent).</summary>
public sealed class SmtpReadiness(IOptions<SmtpOptions> options) : IReadinessCheck
{
    public string Name => "smtp";

    public async Task<bool> IsReadyAsync(CancellationToken cancellation)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(options.Value.Host, options.Value.Port, cancellation);
        return client.Connected;
    }
}

/// <summary>Reads the durable inbox/outbox depth every 15 s for the gauge (never on the scrape's own thread).</summary>
public sealed class QueueDepthGauge(NpgsqlDataSource database, ILogger<QueueDepthGauge> logger) : BackgroundService
{
    private long _depth;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Telemetry.ObserveQueueDepth(() => Interlocked.Read(ref _depth));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var command = database.CreateCommand(
                    "select (select count(*) from wolverine.wolverine_incoming_envelopes where status <> 'Handled') + (select count(*) from wolverine.wolverine_outgoing_envelopes)");
                Interlocked.Exchange(ref _depth, (long)(await command.ExecuteScalarAsync(stoppingToken))!);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                logger.LogDebug("Queue depth not read: {Message}", e.Message);
            }
            try { await Task.Delay(TimeSpan.FromSeconds(15), stoppingToken); } catch (TaskCanceledException) { return; }
        }
    }
}
