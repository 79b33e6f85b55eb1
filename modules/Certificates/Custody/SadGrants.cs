using System.Security.Cryptography;
using Marten;
using Microsoft.Extensions.Logging;
using MySign.Kernel.Data;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace MySign.Certificates.Custody;

/// <summary>
/// Signature Activation Data: made once the holder's PIN opened the key (and the OTP or passkey confirmed it), spent
/// atomically by signHash and signDoc. A SAD is 16 bytes naming the grant and 32 bytes of key that decrypt what the grant
/// keeps — the holder's key as the token wrapped it, never the key itself — base64url: the database alone cannot sign, the
/// SAD alone only for its hashes, count and lifetime, and neither without the token. An OAuth "credential" access token is
/// such a SAD too. Only the signature activation module seals and spends grants (<see cref="SadActivation"/>).
/// </summary>
public static class SadGrants
{
    /// <summary>A new grant over <paramref name="wrapped"/> (the token-wrapped key, zeroed here) and the SAD that opens it.</summary>
    internal static (CscAuthorization Grant, string Sad) Seal(string holder, Guid credential, byte[] wrapped, string? wrappedBy, int signatures, List<string>? hashes,
        DateTimeOffset expiresAt)
    {
        var id = RandomNumberGenerator.GetBytes(16);
        var key = RandomNumberGenerator.GetBytes(32);
        var grant = new CscAuthorization
        {
            Id = Convert.ToHexString(id), HolderId = holder, CredentialId = credential, Remaining = signatures, ExpiresAt = expiresAt,
            Hashes = hashes, Nonce = RandomNumberGenerator.GetBytes(12), Tag = new byte[16], Ciphertext = new byte[wrapped.Length], WrappedBy = wrappedBy,
        };
        using (var aes = new AesGcm(key, 16)) aes.Encrypt(grant.Nonce, wrapped, grant.Ciphertext, grant.Tag);
        CryptographicOperations.ZeroMemory(wrapped);
        var sad = System.Buffers.Text.Base64Url.EncodeToString([.. id, .. key]);
        CryptographicOperations.ZeroMemory(key);
        return (grant, sad);
    }

    /// <summary>
    /// A spent (or replayed) signing call: what the grant kept (the token-wrapped key, or PKCS#8 for a grant made before the
    /// HSM: <paramref name="WrappedBy"/> null), and what identifies the call for History and a replay.
    /// </summary>
    public sealed record Spent(byte[] Content, string? WrappedBy, string GrantId, string Call, string[]? Answer);

    /// <summary>One signing call on a grant: which method and the hashes, in order.</summary>
    public static string CallOf(string method, IReadOnlyList<string> hashes) =>
        Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(method + "\n" + string.Join("\n", hashes))));

    /// <summary>
    /// Spends <paramref name="hashes"/>.Count signatures of a SAD atomically and opens the key it carries; or why not.
    /// Parallel calls cannot sign more than it allows, and a SAD bound to hashes signs each of them once. The same call
    /// again (same SAD, method and hashes, within the SAD's lifetime: a client whose answer was lost) spends nothing: it
    /// opens the key again and carries the answer stored for the first call, if that call got as far as storing one.
    /// </summary>
    internal static async Task<(Spent? Spent, string? Refusal)> SpendAsync(NpgsqlDataSource database, string holder, Guid credential,
        string? sadText, IReadOnlyList<string> hashes, string method, DateTimeOffset now, CancellationToken cancellation)
    {
        if (Bytes(sadText) is not { } sad) return (null, "Invalid SAD");
        var id = Convert.ToHexString(sad[..16]);
        var call = CallOf(method, hashes);
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        // The call is recorded in the spend's transaction: a second, identical call waits here until the first commits, then
        // finds it and replays; if the first was refused (rolled back) it is tried afresh.
        var first = await Sql.Command(connection, transaction, $"insert into {Calls.Identifier} (grant_id, call, at) values ($1, $2, $3) on conflict do nothing",
            id, call, now).ExecuteNonQueryAsync(cancellation) == 1;
        if (!first)
        {
            await transaction.RollbackAsync(cancellation);
            var grant = await Read(Sql.Command(connection, null, $"select data::text from {Table} where id = $1", id), cancellation);
            if (Problem(grant, holder, credential, now) is { } problem) return (null, problem);
            if (Open(grant!, sad) is not { } opened) return (null, "Invalid SAD");
            var answer = await Sql.Command(connection, null, $"select signatures from {Calls.Identifier} where grant_id = $1 and call = $2", id, call)
                .ExecuteScalarAsync(cancellation) as string[];
            return (new Spent(opened, grant!.WrappedBy, id, call, answer), null);
        }

        // An automatic credential's batch workers all spend one SAD: one conditional UPDATE takes their signatures without
        // a read-modify-write race. What it does not take (a grant bound to hashes, or a refusal to explain) is read
        // under a row lock, checked, and written back in the same transaction.
        var spent = await Read(Sql.Command(connection, transaction,
            $"update {Table} set data = jsonb_set(data, '{{Remaining}}', to_jsonb((data->>'Remaining')::int - $1)), mt_version = gen_random_uuid(), " +
            "mt_last_modified = now() where id = $2 and data->>'HolderId' = $3 and data->>'CredentialId' = $4 and jsonb_typeof(data->'Hashes') is distinct from 'array' " +
            "and (data->>'Remaining')::int >= $1 and (data->>'ExpiresAt')::timestamptz > $5 returning data::text",
            hashes.Count, id, holder, credential.ToString(), now), cancellation);
        if (spent is null)
        {
            spent = await Read(Sql.Command(connection, transaction, $"select data::text from {Table} where id = $1 for update", id), cancellation);
            if ((Problem(spent, holder, credential, now) ?? Unspendable(spent!, hashes)) is { } refusal) return (null, refusal);
            var left = new List<string>(spent!.Hashes ?? []);
            foreach (var hash in hashes) left.Remove(hash);
            spent.Remaining -= hashes.Count;
            await Sql.Command(connection, transaction,
                $"update {Table} set data = jsonb_set(jsonb_set(data, '{{Remaining}}', to_jsonb($2)), '{{Hashes}}', $3::jsonb), mt_version = gen_random_uuid(), " +
                "mt_last_modified = now() where id = $1", id, spent.Remaining, System.Text.Json.JsonSerializer.Serialize(left)).ExecuteNonQueryAsync(cancellation);
        }
        // The key opens before anything is committed: a SAD that names the grant but cannot open it spends nothing.
        if (Open(spent, sad) is not { } content) return (null, "Invalid SAD");
        await transaction.CommitAsync(cancellation);
        return (new Spent(content, spent.WrappedBy, id, call, null), null);
    }

    /// <summary>
    /// Keeps the answer of a signHash call for its replays and returns the one kept: the first stored wins, so parallel
    /// replays of one call all answer the same signatures.
    /// </summary>
    internal static async Task<string[]> KeepAnswerAsync(NpgsqlDataSource database, Spent spent, string[] signatures, CancellationToken cancellation)
    {
        await using var command = Sql.Command(database,
            $"update {Calls.Identifier} set signatures = coalesce(signatures, $3) where grant_id = $1 and call = $2 returning signatures", spent.GrantId, spent.Call, signatures);
        return await command.ExecuteScalarAsync(cancellation) as string[] ?? signatures;
    }

    private static string? Problem(CscAuthorization? grant, string holder, Guid credential, DateTimeOffset now) =>
        grant is null || grant.HolderId != holder || grant.CredentialId != credential ? "Invalid SAD"
        : now >= grant.ExpiresAt ? "SAD expired"
        : null;

    private static string? Unspendable(CscAuthorization grant, IReadOnlyList<string> hashes)
    {
        if (hashes.Count > grant.Remaining) return "The SAD does not allow this many signatures";
        if (grant.Hashes is not { } bound) return null;
        var left = new List<string>(bound);
        foreach (var hash in hashes)
            if (!left.Remove(hash))
                return bound.Contains(hash) ? "A hash is listed more times than it was authorized (each authorized hash is signed once)" : "A hash was not authorized";
        return null;
    }

    /// <summary>
    /// credentials/extendTransaction: the same grant (what is left of it) under a new SAD with a fresh lifetime. The old grant
    /// is taken with one conditional DELETE and the new one written in the same transaction, so of parallel extends of one
    /// SAD exactly one gets a new SAD; the others, and the old SAD, are "Invalid SAD".
    /// </summary>
    internal static async Task<(string? Sad, DateTimeOffset ExpiresAt, string? Refusal)> ExtendAsync(IDocumentStore store, NpgsqlDataSource database, string holder,
        Guid credential, string? sadText, TimeSpan lifetime, DateTimeOffset now, CancellationToken cancellation)
    {
        if (Bytes(sadText) is not { } sad) return (null, default, "Invalid SAD");
        var id = Convert.ToHexString(sad[..16]);
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var grant = await Read(Sql.Command(connection, transaction,
            $"delete from {Table} where id = $1 and data->>'HolderId' = $2 and data->>'CredentialId' = $3 and (data->>'ExpiresAt')::timestamptz > $4 " +
            "and (data->>'Remaining')::int >= 1 returning data::text", id, holder, credential.ToString(), now), cancellation);
        if (grant is null)
        {
            var left = await Read(Sql.Command(connection, transaction, $"select data::text from {Table} where id = $1", id), cancellation);
            return (null, default, Problem(left, holder, credential, now) ?? (left!.Remaining < 1 ? "The SAD has no signatures left" : "Invalid SAD"));
        }
        if (Open(grant, sad) is not { } content) return (null, default, "Invalid SAD");
        var (extended, newSad) = Seal(holder, credential, content, grant.WrappedBy, grant.Remaining, grant.Hashes, now + lifetime);
        await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(transaction)))
        {
            session.Insert(extended);
            await session.SaveChangesAsync(cancellation);
        }
        await transaction.CommitAsync(cancellation);
        return (newSad, extended.ExpiresAt, null);
    }

    /// <summary>How long an ended grant and its calls are kept: a client retrying a call just before the end still gets its answer.</summary>
    public static readonly TimeSpan KeptAfterEnd = TimeSpan.FromHours(1);

    /// <summary>
    /// Deletes grants that ended more than <see cref="KeptAfterEnd"/> ago and the signing calls of grants no longer kept (the
    /// recurring <see cref="PurgeSadGrants"/>); how many rows of each went.
    /// </summary>
    public static async Task<(int Grants, int Calls)> PurgeAsync(NpgsqlDataSource database, DateTimeOffset now, CancellationToken cancellation)
    {
        var before = now - KeptAfterEnd;
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var grants = Sql.Command(connection, null, $"delete from {Table} where (data->>'ExpiresAt')::timestamptz < $1", before);
        var deletedGrants = await grants.ExecuteNonQueryAsync(cancellation);
        await using var calls = Sql.Command(connection, null,
            $"delete from {Calls.Identifier} c where c.at < $1 and not exists (select 1 from {Table} g where g.id = c.grant_id)", before);
        return (deletedGrants, await calls.ExecuteNonQueryAsync(cancellation));
    }

    private static readonly string Table = $"{CertificatesModule.Schema}.mt_doc_cscauthorization";
    private static readonly System.Text.Json.JsonSerializerOptions Stored = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The signing calls made on each grant (see <see cref="SpendAsync"/>), and a signHash call's answer.</summary>
    public static readonly Table Calls = DefineCalls();

    private static Table DefineCalls()
    {
        var table = new Table(new PostgresqlObjectName(CertificatesModule.Schema, "csc_sad_calls", SchemaUtils.IdentifierUsage.General));
        table.AddColumn("grant_id", "text").AsPrimaryKey();
        table.AddColumn("call", "text").AsPrimaryKey();
        table.AddColumn("at", "timestamp with time zone").NotNull();
        table.AddColumn("signatures", "text[]");
        return table;
    }

    private static async Task<CscAuthorization?> Read(NpgsqlCommand command, CancellationToken cancellation)
    {
        await using (command)
            return await command.ExecuteScalarAsync(cancellation) is string json ? System.Text.Json.JsonSerializer.Deserialize<CscAuthorization>(json, Stored) : null;
    }

    private static byte[]? Open(CscAuthorization grant, byte[] sad)
    {
        var content = new byte[grant.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(sad[16..], 16);
            aes.Decrypt(grant.Nonce, grant.Ciphertext, grant.Tag, content);
            return content;
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

/// <summary>The hourly sweep of ended SAD grants and their calls, once per cluster (a Wolverine recurring schedule).</summary>
public sealed record PurgeSadGrants;

public static class PurgeSadGrantsHandler
{
    public static async Task Handle(PurgeSadGrants _, NpgsqlDataSource database, TimeProvider clock, ILogger<PurgeSadGrants> logger,
        CancellationToken cancellation)
    {
        var (grants, calls) = await SadGrants.PurgeAsync(database, clock.GetUtcNow(), cancellation);
        if (grants + calls > 0) logger.LogInformation("Purged {Grants} ended SAD grants and {Calls} signing calls", grants, calls);
    }
}
