using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySign.TrustServices.Domain;

namespace MySign.TrustServices.Crl;

/// <summary>
/// The CRL's keep-alive: a recurring Wolverine schedule (TrustServices:CrlRefreshCron, every 30 minutes) run once per
/// cluster by Wolverine's single recurring-message agent, however many nodes there are. A CRL with more than two
/// hours left is left alone; otherwise a new one is published, so one exists at least daily when nothing changes. The
/// root's CRL (the issuing CA's revocation path) is signed only by the ceremony, for a year: a month before it ends every
/// refresh warns, so the operator runs `ca-ceremony` again; in Development, where the root's token is at hand, it is re-signed.
/// </summary>
public sealed record RefreshCrl;

public static class RefreshCrlHandler
{
    public static async Task Handle(RefreshCrl _, Wolverine.Envelope envelope, CrlKeepAlive keepAlive, TimeProvider clock, ILogger<RefreshCrl> logger,
        CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var occurrence = envelope.Headers.TryGetValue(Wolverine.RecurringMessage.OccurrenceHeaderKey, out var at) ? at : now.ToString("O");
        logger.LogInformation("CRL refresh occurrence at {Occurrence}", occurrence);
        await keepAlive.RefreshIfDueAsync(now, cancellation);
    }
}

public sealed class CrlKeepAlive(Crls crls, Authority.CaCeremony ceremony, IHostEnvironment environment,
    ILogger<CrlKeepAlive> logger)
{
    public static readonly TimeSpan RootCrlWarning = TimeSpan.FromDays(30);

    public async Task RefreshIfDueAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var issuing = await crls.CurrentAsync(CrlDocument.Issuing, now, cancellation);
        if (issuing.NextUpdate - now < TimeSpan.FromHours(2)) await crls.PublishAsync(now, cancellation);
        var root = await crls.CurrentAsync(CrlDocument.Root, now, cancellation);
        if (root.NextUpdate - now >= RootCrlWarning) return;
        if (environment.IsDevelopment()) await ceremony.RunAsync(now, cancellation, renewRootCrl: true);
        else logger.LogWarning("The root's CRL ends at {NextUpdate}: run `ca-ceremony` with the root's token to sign the next one", root.NextUpdate);
    }
}

/// <summary>At start, a CRL exists before the first schedule occurrence (idempotent: a fresh one is left alone).</summary>
public sealed class CrlAtStart(IServiceProvider services, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; attempt < 20 && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await services.GetRequiredService<CrlKeepAlive>().RefreshIfDueAsync(clock.GetUtcNow(), stoppingToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may not be ready yet (first start): the schedule will also take care of it.
                await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken);
            }
        }
    }
}
