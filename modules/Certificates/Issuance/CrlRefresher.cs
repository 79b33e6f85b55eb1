using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MySign.Certificates.Domain;

namespace MySign.Certificates.Issuance;

/// <summary>Keeps a CRL published at least daily even when nothing changes (every node checks; a fresh CRL is left alone).</summary>
public sealed class CrlRefresher(IServiceProvider services, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(30), clock);
        do
        {
            try
            {
                var store = services.GetRequiredService<IDocumentStore>();
                await using var session = store.QuerySession();
                var crl = await session.LoadAsync<CrlDocument>("issuing", stoppingToken);
                var now = clock.GetUtcNow();
                if (crl is null || crl.NextUpdate - now < TimeSpan.FromHours(2))
                    await services.GetRequiredService<Issuer>().PublishCrlAsync(store, now, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may not be ready yet (first start); the next tick tries again.
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
