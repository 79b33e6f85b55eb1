using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MySign.Custody;
using MySign.Kernel.Data;
using Npgsql;

namespace MySign.TrustServices.Keys;

/// <summary>
/// The online token (<c>Hsm:*</c>) as the CA uses it: the issuing CA's, the OCSP responder's and the TSA's keys, labelled under
/// this module's prefix. The signature activation module opens the same token for the key that wraps holder keys, under its
/// own prefix; neither ever touches the other's objects (docs/adr/0020). Opened at start (<see cref="CaTokenAtStart"/>); a token
/// that failed to open is tried again on the next use.
/// </summary>
public sealed class CaToken(IConfiguration configuration, IHostEnvironment environment, IDocumentStore store, NpgsqlDataSource database)
    : DeploymentToken(HsmSettings.Online(configuration, environment))
{
    protected override async Task<string> LoadPrefixAsync(CancellationToken cancellation) => (await DeploymentOnce.LoadOrMakeAsync(store, CaDeployment.Key,
        () => new CaDeployment { Prefix = $"mysign/{Guid.NewGuid():N}/", CreatedAt = TimeProvider.System.GetUtcNow() }, cancellation)).Prefix;

    /// <summary>Holds this module's provisioning lock (a PostgreSQL advisory lock) while <paramref name="work"/> runs.</summary>
    public override Task<T> ProvisionAsync<T>(Func<Task<T>> work, CancellationToken cancellation) =>
        DeploymentOnce.LockedAsync(database, "mysign.trustservices.provisioning", work, cancellation);
}

/// <summary>This deployment's name for the CA's objects in the token (see <see cref="CaToken.PrefixAsync"/>); the only document of its kind.</summary>
public sealed class CaDeployment
{
    public const string Key = "deployment";
    public string Id { get; set; } = Key;
    public string Prefix { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Opens the CA's token as the host starts, and refuses to start with a CA key still in configuration.</summary>
public sealed class CaTokenAtStart(CaToken token, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A CA key in configuration would be a copy outside the HSM: ca-import takes it into the token once, then it must go.
        foreach (var setting in new[] { "Certificates:Ca:RootPfx", "Certificates:Ca:IssuingPfx" })
            if (configuration[setting] is { Length: > 0 })
                throw new InvalidOperationException($"{setting} is set: the CA's keys live in the HSM now. Run `dotnet MySign.Web.dll ca-import` once (it reads them), " +
                                                    $"then remove {setting.Replace(":", "__")} from the secrets.");
        _ = token.Token;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
