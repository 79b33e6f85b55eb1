using System.Security.Cryptography;
using Marten;

namespace MySign.Certificates.Csc;

/// <summary>
/// Signature Activation Data: made once the holder's PIN opened the key (and the OTP or passkey confirmed it), spent
/// atomically by signHash and signDoc. A SAD is 16 bytes naming the grant and 32 bytes of key that decrypt the holder's
/// key inside it, base64url: the database alone cannot sign, the SAD alone only for its hashes, count and lifetime.
/// An OAuth "credential" access token is such a SAD too.
/// </summary>
public static class CscGrants
{
    /// <summary>A new grant over <paramref name="pkcs8"/> (zeroed here) and the SAD that opens it.</summary>
    public static (CscAuthorization Grant, string Sad) Seal(string holder, Guid credential, byte[] pkcs8, int signatures, List<string>? hashes,
        DateTimeOffset expiresAt)
    {
        var id = RandomNumberGenerator.GetBytes(16);
        var key = RandomNumberGenerator.GetBytes(32);
        var grant = new CscAuthorization
        {
            Id = Convert.ToHexString(id), HolderId = holder, CredentialId = credential, Remaining = signatures, ExpiresAt = expiresAt,
            Hashes = hashes, Nonce = RandomNumberGenerator.GetBytes(12), Tag = new byte[16], Ciphertext = new byte[pkcs8.Length],
        };
        using (var aes = new AesGcm(key, 16)) aes.Encrypt(grant.Nonce, pkcs8, grant.Ciphertext, grant.Tag);
        CryptographicOperations.ZeroMemory(pkcs8);
        var sad = System.Buffers.Text.Base64Url.EncodeToString([.. id, .. key]);
        CryptographicOperations.ZeroMemory(key);
        return (grant, sad);
    }

    /// <summary>The grant a SAD names (whoever asks: the caller checks the holder), or null for a malformed SAD.</summary>
    public static string? GrantId(string? sad) => Bytes(sad) is { } bytes ? Convert.ToHexString(bytes[..16]) : null;

    /// <summary>
    /// Spends <paramref name="hashes"/>.Count signatures of a SAD atomically (parallel calls cannot sign more than it
    /// allows; a SAD bound to hashes accepts only those) and opens the key it carries; or why not.
    /// </summary>
    public static async Task<(byte[]? Pkcs8, string? Refusal)> SpendAsync(IDocumentStore store, Npgsql.NpgsqlDataSource database, string holder, Guid credential,
        string? sadText, IReadOnlyList<string> hashes, DateTimeOffset now, CancellationToken cancellation)
    {
        if (Bytes(sadText) is not { } sad) return (null, "Invalid SAD");
        // An automatic credential's batch workers all spend one SAD: one conditional UPDATE takes their signatures without a
        // read-modify-write race (and bumps the version, so the document path below still sees the change). What it does
        // not take — a grant bound to hashes, or a refusal to explain — goes the document way.
        if (await SpendUnboundAsync(database, Convert.ToHexString(sad[..16]), holder, credential, hashes.Count, now, cancellation) is { } taken)
            return Open(taken, sad) is { } opened ? (opened, null) : (null, "Invalid SAD");
        CscAuthorization? grant;
        for (var round = 0; ; round++)
        {
            await using var session = store.LightweightSession();
            grant = await session.LoadAsync<CscAuthorization>(Convert.ToHexString(sad[..16]), cancellation);
            if (grant is null || grant.HolderId != holder || grant.CredentialId != credential) return (null, "Invalid SAD");
            if (now >= grant.ExpiresAt) return (null, "SAD expired");
            if (hashes.Count > grant.Remaining) return (null, "The SAD does not allow this many signatures");
            if (grant.Hashes is { } bound && hashes.Any(h => !bound.Contains(h))) return (null, "A hash was not authorized");
            grant.Remaining -= hashes.Count;
            // A bound hash is signed once: the same hash twice needs two entries in the authorisation.
            if (grant.Hashes is not null) foreach (var h in hashes) grant.Hashes.Remove(h);
            session.Store(grant);
            try { await session.SaveChangesAsync(cancellation); break; }
            // Parallel calls on one SAD (a batch client's workers) meet here: re-read and try again, spread out a little.
            catch (JasperFx.ConcurrencyException) when (round < 200) { await Task.Delay(Random.Shared.Next(0, 2 + Math.Min(round, 20)), cancellation); }
        }
        return Open(grant, sad) is { } pkcs8 ? (pkcs8, null) : (null, "Invalid SAD");
    }

    /// <summary>
    /// credentials/extendTransaction: the same grant (what is left of it) under a new SAD with a fresh lifetime; the old SAD
    /// stops working in the same transaction.
    /// </summary>
    public static async Task<(string? Sad, DateTimeOffset ExpiresAt, string? Refusal)> ExtendAsync(IDocumentSession session, string holder, Guid credential,
        string? sadText, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellation)
    {
        if (Bytes(sadText) is not { } sad) return (null, default, "Invalid SAD");
        var grant = await session.LoadAsync<CscAuthorization>(Convert.ToHexString(sad[..16]), cancellation);
        if (grant is null || grant.HolderId != holder || grant.CredentialId != credential) return (null, default, "Invalid SAD");
        if (now >= grant.ExpiresAt) return (null, default, "SAD expired");
        if (grant.Remaining < 1) return (null, default, "The SAD has no signatures left");
        if (Open(grant, sad) is not { } pkcs8) return (null, default, "Invalid SAD");
        var (extended, newSad) = Seal(holder, credential, pkcs8, grant.Remaining, grant.Hashes, now + lifetime);
        session.Delete(grant);
        session.Insert(extended);
        return (newSad, extended.ExpiresAt, null);
    }

    private static readonly string Table = $"{CertificatesModule.Schema}.mt_doc_cscauthorization";
    private static readonly System.Text.Json.JsonSerializerOptions Stored = new() { PropertyNameCaseInsensitive = true };

    private static async Task<CscAuthorization?> SpendUnboundAsync(Npgsql.NpgsqlDataSource database, string id, string holder, Guid credential, int count,
        DateTimeOffset now, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"update {Table} set data = jsonb_set(data, '{{Remaining}}', to_jsonb((data->>'Remaining')::int - $1)), mt_version = gen_random_uuid(), " +
            "mt_last_modified = now() where id = $2 and data->>'HolderId' = $3 and data->>'CredentialId' = $4 and jsonb_typeof(data->'Hashes') is distinct from 'array' " +
            "and (data->>'Remaining')::int >= $1 and (data->>'ExpiresAt')::timestamptz > $5 returning data::text");
        command.Parameters.Add(new() { Value = count });
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = holder });
        command.Parameters.Add(new() { Value = credential.ToString() });
        command.Parameters.Add(new() { Value = now });
        return await command.ExecuteScalarAsync(cancellation) is string json ? System.Text.Json.JsonSerializer.Deserialize<CscAuthorization>(json, Stored) : null;
    }

    private static byte[]? Open(CscAuthorization grant, byte[] sad)
    {
        var pkcs8 = new byte[grant.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(sad[16..], 16);
            aes.Decrypt(grant.Nonce, grant.Ciphertext, grant.Tag, pkcs8);
            return pkcs8;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[]? Bytes(string? sad)
    {
        if (string.IsNullOrEmpty(sad) || sad.Length > 100) return null;
        try { return System.Buffers.Text.Base64Url.DecodeFromChars(sad) is { Length: 48 } bytes ? bytes : null; }
        catch (FormatException) { return null; }
    }
}
