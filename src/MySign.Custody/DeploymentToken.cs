namespace MySign.Custody;

/// <summary>
/// One module's use of the online token: opened on first use (a token that failed to open is tried again on the next use, a
/// network HSM that was briefly away), with the objects the module makes labelled under its own prefix, so modules and
/// deployments that share a token never see each other's keys (docs/adr/0015, 0020). Where the prefix is kept and how nodes
/// take turns making keys is the module's.
/// </summary>
public abstract class DeploymentToken(TokenSettings settings) : IDisposable
{
    private readonly Lock _gate = new();
    private CryptoToken? _token;
    private string? _prefix;

    public TokenSettings Settings { get; } = settings;

    public CryptoToken Token
    {
        get
        {
            if (_token is { } open) return open;
            lock (_gate) return _token ??= CryptoToken.Open(Settings);
        }
    }

    /// <summary>The label prefix of this module's objects ("mysign/{id}/"), made at the first start.</summary>
    public async Task<string> PrefixAsync(CancellationToken cancellation) => _prefix ??= await LoadPrefixAsync(cancellation);

    protected abstract Task<string> LoadPrefixAsync(CancellationToken cancellation);

    /// <summary>Runs <paramref name="work"/> while no other node makes this module's keys, so each is made once.</summary>
    public abstract Task<T> ProvisionAsync<T>(Func<Task<T>> work, CancellationToken cancellation);

    public void Dispose()
    {
        _token?.Dispose();
        GC.SuppressFinalize(this);
    }
}
