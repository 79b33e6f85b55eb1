using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace MySign.Dev;

/// <summary>The one document the host owns: it marks that the demo data was written.</summary>
public sealed class DemoSeedMarker
{
    public string Id { get; set; } = "demo";
    public DateTimeOffset SeededAt { get; set; }
}

/// <summary>
/// Writes the demo holder and RAO operator once (each module seeds its own documents), then prints
/// them. Runs in Development and tests (Demo:Seed), after Marten has applied the schema.
/// </summary>
public sealed class DemoSeeding(IDocumentStore store, IEnumerable<IDemoSeeder> seeders, IServiceProvider services,
    IConfiguration configuration, IHostEnvironment environment, TimeProvider clock, ILogger<DemoSeeding> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!DemoModule.IsOn(configuration, environment)) return;
        await using (var query = store.QuerySession())
        {
            if (await query.LoadAsync<DemoSeedMarker>("demo", cancellationToken) is null)
            {
                var now = clock.GetUtcNow();
                var messages = new List<object>();
                try
                {
                    await using var session = store.LightweightSession();
                    foreach (var seeder in seeders) messages.AddRange(seeder.Seed(session, now));
                    session.Store(new DemoSeedMarker { SeededAt = now });
                    await session.SaveChangesAsync(cancellationToken);
                }
                catch (JasperFx.ConcurrencyException)
                {
                    // The demo documents exist from an earlier start (the seed is one transaction, so
                    // nothing was half-written): keep them and only record the marker.
                    messages.Clear();
                    await using var session = store.LightweightSession();
                    session.Store(new DemoSeedMarker { SeededAt = now });
                    await session.SaveChangesAsync(cancellationToken);
                }
                // What real operation would have told the other modules (e.g. CertificateIssued).
                using var scope = services.CreateScope();
                var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
                foreach (var message in messages) await bus.InvokeAsync(message, cancellationToken);
                logger.LogInformation("Demo data written");
            }
        }
        Console.WriteLine($"demo holder: {Demo.HolderUserId} / {Demo.HolderPassword}");
        Console.WriteLine($"demo rao: {Demo.RaoUsername} / {Demo.RaoPassword}");
        Console.WriteLine($"(the demo holder's signature PIN is {Demo.HolderPin}; OTP codes, and what the demo hardware token {Demo.TokenSerial} shows, appear at /dev/outbox)");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
