using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MySign.Certificates.Domain;

namespace MySign.Certificates.Issuance;

/// <summary>
/// The CRL's keep-alive: a recurring Wolverine schedule (Certificates:CrlRefreshCron, every 30 minutes) run once per
/// cluster by Wolverine's single recurring-message agent, however many nodes there are. A CRL with more than two
/// hours left is left alone; otherwise a new one is published, so one exists at least daily when nothing changes. The
/// same holds for the root's CRL (the issuing CA's revocation path).
/// </summary>
public sealed record RefreshCrl;

public static class RefreshCrlHandler
{
    public static async Task Handle(RefreshCrl _, Wolverine.Envelope envelope, IDocumentStore store, Issuer issuer, TimeProvider clock, ILogger<RefreshCrl> logger,
        CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var occurrence = envelope.Headers.TryGetValue(Wolverine.RecurringMessage.OccurrenceHeaderKey, out var at) ? at : now.ToString("O");
        logger.LogInformation("CRL refresh occurrence at {Occurrence}", occurrence);
        await CrlKeepAlive.RefreshIfDueAsync(store, issuer, now, cancellation);
    }
}

public static class CrlKeepAlive
{
    public static async Task RefreshIfDueAsync(IDocumentStore store, Issuer issuer, DateTimeOffset now, CancellationToken cancellation)
    {
        foreach (var which in new[] { CrlDocument.Issuing, CrlDocument.Root })
        {
            await using var session = store.QuerySession();
            var crl = await session.LoadAsync<CrlDocument>(which, cancellation);
            if (crl is null || crl.NextUpdate - now < TimeSpan.FromHours(2))
                await issuer.PublishCrlAsync(store, now, cancellation, which);
        }
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
                await CrlKeepAlive.RefreshIfDueAsync(services.GetRequiredService<IDocumentStore>(), services.GetRequiredService<Issuer>(), clock.GetUtcNow(), stoppingToken);
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
