using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MySign.Custody;
using MySign.Kernel.Data;
using Npgsql;

namespace MySign.Certificates.Keys;

/// <summary>
/// The online token (<c>Hsm:*</c>) as the signature activation module uses it: the key that wraps holder keys, labelled under
/// this module's prefix (TrustServices opens the same token for the CA's keys, under its own: docs/adr/0020). Opened at start
/// (<see cref="CustodyAtStart"/>): a node without a token that answers does not start. A token that failed to open is tried again on the next use (a network HSM that was briefly away).
/// </summary>
public sealed class OnlineToken(IConfiguration configuration, IHostEnvironment environment, IDocumentStore store, NpgsqlDataSource database)
    : DeploymentToken(HsmSettings.Online(configuration, environment))
{
    protected override async Task<string> LoadPrefixAsync(CancellationToken cancellation) => (await DeploymentOnce.LoadOrMakeAsync(store, CustodyDeployment.Key,
        () => new CustodyDeployment { Prefix = $"mysign/{Guid.NewGuid():N}/", CreatedAt = TimeProvider.System.GetUtcNow() }, cancellation)).Prefix;

    /// <summary>Holds this module's provisioning lock (a PostgreSQL advisory lock) while <paramref name="work"/> runs.</summary>
    public override Task<T> ProvisionAsync<T>(Func<Task<T>> work, CancellationToken cancellation) =>
        DeploymentOnce.LockedAsync(database, "mysign.custody.provisioning", work, cancellation);
}

/// <summary>
/// Opens the online token as the host starts: Production refuses to start without one that answers, or without the secret that
/// seals holder keys (<see cref="Custody.KeySecret"/>), naming the setting.
/// </summary>
public sealed class CustodyAtStart(OnlineToken online, Custody.KeySecret secret) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = secret.Value;
        _ = online.Token;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
