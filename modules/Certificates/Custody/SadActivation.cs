using System.Security.Cryptography;
using Marten;
using Npgsql;

namespace MySign.Certificates.Custody;

/// <summary>A signing call on a SAD, for History and a replay: the same ids for the same call.</summary>
public sealed record SadCall(string GrantId, string Call)
{
    /// <summary>The History id of the call's signature <paramref name="index"/>: the same for a replay, so History files it once.</summary>
    public Guid SignatureId(int index) => new(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{GrantId}:{Call}:{index}"))[..16]);
}

/// <summary>What a SAD-activated call came to: a refusal, or the DER signatures and the call they belong to.</summary>
public sealed record SadSigned(string? Refusal, IReadOnlyList<byte[]> Signatures, SadCall? Call);

/// <summary>
/// The signature activation module's door for a SAD (CSC signHash, signDoc, extendTransaction): the SAD is checked and spent
/// atomically (<see cref="SadGrants"/>: its lifetime, its count, the hashes it is bound to), and only then is the key it
/// carries unwrapped in the token to sign. Every call is written to the activation audit.
/// </summary>
public sealed class SadActivation(HolderKeyRing keyRing, NpgsqlDataSource database, ActivationAudit audit, TimeProvider clock)
{
    /// <summary>The grant a SAD names (what a CSC token bound to it keeps), without opening anything.</summary>
    public static string? GrantId(string? sad) => SadGrants.GrantId(sad);

    /// <summary>signatures/signHash: ECDSA over each bound hash (standard base64 SHA-256). The same call again answers the signatures kept for it.</summary>
    public async Task<SadSigned> SignHashesAsync(string holder, Guid credential, string? sad, IReadOnlyList<string> hashes, DateTimeOffset now, CancellationToken cancellation)
    {
        var (spent, refusal) = await SadGrants.SpendAsync(database, holder, credential, sad, hashes, "signHash", now, cancellation);
        if (spent is null) return await RefusedAsync(holder, credential, Door.SignHash, hashes.Count, refusal!, cancellation);
        try
        {
            var call = new SadCall(spent.GrantId, spent.Call);
            if (spent.Answer is { } kept)
            {
                await RecordAsync(holder, credential, Door.SignHash, hashes.Count, "replayed", spent, cancellation);
                return new(null, kept.Select(Convert.FromBase64String).ToArray(), call);
            }
            var signatures = await SignAsync(spent, hashes.Select(Convert.FromBase64String).ToList(), cancellation);
            var answer = await SadGrants.KeepAnswerAsync(database, spent, signatures.Select(Convert.ToBase64String).ToArray(), cancellation);
            await RecordAsync(holder, credential, Door.SignHash, hashes.Count, "signed", spent, cancellation);
            return new(null, answer.Select(Convert.FromBase64String).ToArray(), call);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(spent.Content);
        }
    }

    /// <summary>
    /// signatures/signDoc: the SAD is spent for the documents' hashes (<paramref name="bound"/>, what the holder authorised), and
    /// the key signs <paramref name="digests"/> — for each document, the hash of the CMS signed attributes that carry its digest.
    /// </summary>
    public async Task<SadSigned> SignDocumentsAsync(string holder, Guid credential, string? sad, IReadOnlyList<string> bound, string method,
        IReadOnlyList<byte[]> digests, DateTimeOffset now, CancellationToken cancellation)
    {
        if (digests.Count != bound.Count) throw new ArgumentException("One signature per authorised document", nameof(digests));
        var (spent, refusal) = await SadGrants.SpendAsync(database, holder, credential, sad, bound, method, now, cancellation);
        if (spent is null) return await RefusedAsync(holder, credential, Door.SignDoc, bound.Count, refusal!, cancellation);
        try
        {
            var signatures = await SignAsync(spent, digests, cancellation);
            await RecordAsync(holder, credential, Door.SignDoc, bound.Count, spent.Answer is null ? "signed" : "replayed", spent, cancellation);
            return new(null, signatures, new SadCall(spent.GrantId, spent.Call));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(spent.Content);
        }
    }

    /// <summary>credentials/extendTransaction: what is left of the grant under a new SAD (exactly one of parallel extends gets it).</summary>
    public async Task<(string? Sad, DateTimeOffset ExpiresAt, string? Refusal)> ExtendAsync(IDocumentStore store, string holder, Guid credential, string? sad,
        TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellation)
    {
        var extended = await SadGrants.ExtendAsync(store, database, holder, credential, sad, lifetime, now, cancellation);
        await audit.RecordAsync(new(holder, credential, Door.Extend, "SAD", 0, extended.Refusal is null ? "extended" : "refused", null), clock.GetUtcNow(), cancellation);
        return extended;
    }

    /// <summary>The key the grant carries signs in the token; a grant made before the HSM (PKCS#8 inside) is brought into the token first.</summary>
    private async Task<byte[][]> SignAsync(SadGrants.Spent spent, IReadOnlyList<byte[]> digests, CancellationToken cancellation)
    {
        var keys = await keyRing.GetAsync(cancellation);
        return await Task.Run(() => keys.Sign(spent.WrappedBy is null ? keys.Import(spent.Content) : spent.Content, digests), cancellation);
    }

    private async Task<SadSigned> RefusedAsync(string holder, Guid credential, string door, int hashes, string refusal, CancellationToken cancellation)
    {
        await audit.RecordAsync(new(holder, credential, door, "SAD", hashes, "refused: " + refusal, null), clock.GetUtcNow(), cancellation);
        return new(refusal, [], null);
    }

    private Task RecordAsync(string holder, Guid credential, string door, int hashes, string outcome, SadGrants.Spent spent, CancellationToken cancellation) =>
        audit.RecordAsync(new(holder, credential, door, "SAD", hashes, outcome, spent.WrappedBy is null ? "pkcs8" : "token"), clock.GetUtcNow(), cancellation);
}
