using System.Security.Cryptography;
using Marten;
using MySign.Certificates.Contracts;
using Npgsql;

namespace MySign.Certificates.Custody;

/// <summary>
/// The signature activation module's door for a SAD (CSC signHash, signDoc, extendTransaction): the SAD is checked and spent
/// atomically (<see cref="SadGrants"/>: its lifetime, its count, the hashes it is bound to), and only then is the key it
/// carries unwrapped in the token to sign. Every call is written to the activation audit.
/// </summary>
public sealed class SadActivation(HolderKeyRing keyRing, NpgsqlDataSource database, ActivationAudit audit, TimeProvider clock)
{
    /// <summary>signatures/signHash: ECDSA over each bound hash (standard base64 SHA-256). The same call again answers the signatures kept for it.</summary>
    public Task<SadSignatures> SignHashesAsync(string holder, Guid credential, string? sad, IReadOnlyList<string> hashes, DateTimeOffset now, CancellationToken cancellation) =>
        SpendAndSignAsync(holder, credential, sad, hashes, "signHash", hashes.Select(Convert.FromBase64String).ToList(), Door.SignHash, keep: true, now, cancellation);

    /// <summary>
    /// signatures/signDoc: the SAD is spent for the documents' hashes (<paramref name="bound"/>, what the holder authorised), and
    /// the key signs <paramref name="digests"/> — for each document, the hash of the CMS signed attributes that carry its digest.
    /// </summary>
    public Task<SadSignatures> SignDocumentsAsync(string holder, Guid credential, string? sad, IReadOnlyList<string> bound, string method,
        IReadOnlyList<byte[]> digests, DateTimeOffset now, CancellationToken cancellation) =>
        digests.Count != bound.Count ? throw new ArgumentException("One signature per authorised document", nameof(digests))
        : SpendAndSignAsync(holder, credential, sad, bound, method, digests, Door.SignDoc, keep: false, now, cancellation);

    /// <summary>
    /// Spends the SAD for <paramref name="bound"/> and signs <paramref name="digests"/> with the key it carries; with
    /// <paramref name="keep"/>, the answer is kept for the call's replays, and a replay answers what was kept.
    /// </summary>
    private async Task<SadSignatures> SpendAndSignAsync(string holder, Guid credential, string? sad, IReadOnlyList<string> bound, string method,
        IReadOnlyList<byte[]> digests, string door, bool keep, DateTimeOffset now, CancellationToken cancellation)
    {
        var (spent, refusal) = await SadGrants.SpendAsync(database, holder, credential, sad, bound, method, now, cancellation);
        if (spent is null)
        {
            await audit.RecordAsync(new(holder, credential, door, "SAD", bound.Count, "refused: " + refusal, null), clock.GetUtcNow(), cancellation);
            return new(refusal, [], []);
        }
        try
        {
            var signatures = spent.Answer is { } kept ? kept.Select(Convert.FromBase64String).ToArray() : await SignAsync(spent, digests, cancellation);
            if (keep && spent.Answer is null)
                signatures = (await SadGrants.KeepAnswerAsync(database, spent, signatures.Select(Convert.ToBase64String).ToArray(), cancellation))
                    .Select(Convert.FromBase64String).ToArray();
            await audit.RecordAsync(new(holder, credential, door, "SAD", bound.Count, spent.Answer is null ? "signed" : "replayed",
                spent.WrappedBy is null ? "pkcs8" : "token"), clock.GetUtcNow(), cancellation);
            return new(null, signatures, SignatureIds(spent, signatures.Length));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(spent.Content);
        }
    }

    /// <summary>credentials/extendTransaction: what is left of the grant under a new SAD (exactly one of parallel extends gets it).</summary>
    public async Task<SadExtended> ExtendAsync(IDocumentStore store, string holder, Guid credential, string? sad, TimeSpan lifetime, DateTimeOffset now,
        CancellationToken cancellation)
    {
        var (extended, expiresAt, refusal) = await SadGrants.ExtendAsync(store, database, holder, credential, sad, lifetime, now, cancellation);
        await audit.RecordAsync(new(holder, credential, Door.Extend, "SAD", 0, refusal is null ? "extended" : "refused", null), clock.GetUtcNow(), cancellation);
        return new(extended, expiresAt, refusal);
    }

    /// <summary>The History ids of a call's signatures: the same for a replay of the call, so History files them once.</summary>
    private static Guid[] SignatureIds(SadGrants.Spent spent, int count) =>
        Enumerable.Range(0, count).Select(i => new Guid(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{spent.GrantId}:{spent.Call}:{i}"))[..16])).ToArray();

    /// <summary>The key the grant carries signs in the token; a grant made before the HSM (PKCS#8 inside) is brought into the token first.</summary>
    private async Task<byte[][]> SignAsync(SadGrants.Spent spent, IReadOnlyList<byte[]> digests, CancellationToken cancellation)
    {
        var keys = await keyRing.GetAsync(cancellation);
        return await Task.Run(() => keys.Sign(spent.WrappedBy is null ? keys.Import(spent.Content) : spent.Content, digests), cancellation);
    }
}
