using MySign.TrustServices.Keys;
using MySign.Custody;

namespace MySign.TrustServices.Authority;

/// <summary>
/// Where the CA's online keys are kept and made: the one seam between the certificate authority and its custody (a
/// TrustServices module can own its token behind it). Names are this deployment's; the labels in the token carry its prefix.
/// </summary>
public interface ICaKeys
{
    /// <summary>The key stored under <paramref name="label"/> (as an <see cref="AuthorityKey"/> names it), or null.</summary>
    Task<TokenKey?> FindAsync(string label, CancellationToken cancellation);

    /// <summary>A new key named <paramref name="name"/>, made in the token: sensitive, never extractable.</summary>
    Task<TokenKey> GenerateAsync(string name, EcCurve curve, CancellationToken cancellation);

    /// <summary>Which token, for messages (never the PIN).</summary>
    string Describe();
}

/// <summary>The CA's keys in the online token (Hsm:*).</summary>
public sealed class TokenCaKeys(CaToken online) : ICaKeys
{
    public Task<TokenKey?> FindAsync(string label, CancellationToken cancellation) => Task.FromResult(online.Token.FindKey(label));

    public async Task<TokenKey> GenerateAsync(string name, EcCurve curve, CancellationToken cancellation) =>
        online.Token.GenerateKey(await online.PrefixAsync(cancellation) + name, curve);

    public string Describe() => online.Settings.ToString();
}
