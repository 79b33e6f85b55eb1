using MySign.Billing.Catalogue;

namespace MySign.Web.Infrastructure;

/// <summary>
/// Where the schema is applied at start (Development, tests), the catalogue is too, as the release step does in
/// Production: a fresh `make run` sells from its first minute. Registered before the demo seeding.
/// </summary>
public sealed class ApplyCatalogueOnStart(CatalogueRelease catalogue) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => catalogue.ApplyAsync(cancellationToken);
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
