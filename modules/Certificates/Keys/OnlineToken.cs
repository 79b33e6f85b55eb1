using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MySign.Custody;
using Npgsql;

namespace MySign.Certificates.Keys;

/// <summary>
/// The online token (<c>Hsm:*</c>): the issuing CA's, OCSP and TSA keys and the key that wraps holder keys, all labelled under
/// this deployment's prefix. Opened at start (<see cref="CustodyAtStart"/>): a node without a token that answers does not
/// start. A token that failed to open is tried again on the next use (a network HSM that was briefly away).
/// </summary>
public sealed class OnlineToken(IConfiguration configuration, IHostEnvironment environment, IDocumentStore store, NpgsqlDataSource database) : IDisposable
{
    private readonly Lock _gate = new();
    private CryptoToken? _token;
    private string? _prefix;

    public TokenSettings Settings { get; } = HsmSettings.Online(configuration, environment);

    public CryptoToken Token
    {
        get
        {
            if (_token is { } open) return open;
            lock (_gate) return _token ??= CryptoToken.Open(Settings);
        }
    }

    /// <summary>The label prefix of this deployment's objects ("mysign/{id}/"), made at the first start.</summary>
    public async Task<string> PrefixAsync(CancellationToken cancellation)
    {
        if (_prefix is { } known) return known;
        for (var attempt = 0; ; attempt++)
        {
            await using (var query = store.QuerySession())
                if (await query.LoadAsync<CustodyDeployment>(CustodyDeployment.Key, cancellation) is { } stored) return _prefix = stored.Prefix;
            try
            {
                await using var session = store.LightweightSession();
                session.Insert(new CustodyDeployment { Prefix = $"mysign/{Guid.NewGuid():N}/", CreatedAt = TimeProvider.System.GetUtcNow() });
                await session.SaveChangesAsync(cancellation);
            }
            catch (Exception e) when (attempt == 0 && e is JasperFx.DocumentAlreadyExistsException or JasperFx.ConcurrencyException)
            {
                // Another node made it first: read theirs.
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> holding this deployment's provisioning lock (a PostgreSQL advisory lock), so that nodes
    /// starting together make each key and the CA once: whoever comes second finds them made.
    /// </summary>
    public async Task<T> ProvisionAsync<T>(Func<Task<T>> work, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using (var command = new NpgsqlCommand("select pg_advisory_lock(hashtext('mysign.custody.provisioning'))", connection))
            await command.ExecuteNonQueryAsync(cancellation);
        try
        {
            return await work();
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(hashtext('mysign.custody.provisioning'))", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public void Dispose() => _token?.Dispose();
}

/// <summary>Opens the online token as the host starts: Production refuses to start without one that answers, naming the setting.</summary>
public sealed class CustodyAtStart(OnlineToken online, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A CA key in configuration would be a copy outside the HSM: ca-import takes it into the token once, then it must go.
        foreach (var setting in new[] { "Certificates:Ca:RootPfx", "Certificates:Ca:IssuingPfx" })
            if (configuration[setting] is { Length: > 0 })
                throw new InvalidOperationException($"{setting} is set: the CA's keys live in the HSM now. Run `dotnet MySign.Web.dll ca-import` once (it reads them), " +
                                                    $"then remove {setting.Replace(":", "__")} from the secrets.");
        _ = online.Token;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
