using System.Security.Cryptography;

namespace MySign.Certificates.Emergency;

/// <summary>
/// A holder's emergency code: it suspends the certificate with the User ID alone, no PIN, no OTP, for the moment the
/// phone is gone or someone else is signing. Stored only as a slow hash (PBKDF2-SHA256, 600,000 rounds). Id is the holder.
/// </summary>
public sealed class EmergencyCode
{
    public string Id { get; set; } = "";
    public byte[] Salt { get; set; } = [];
    public byte[] Hash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A new code, sealed for its holder to read on the home page until they say they have kept it (at most a day).</summary>
public sealed class EmergencyCodeReveal
{
    public string Id { get; set; } = "";
    public string Sealed { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
}

public static class EmergencyCodes
{
    public const string RevealProtector = "MySign.Certificates.EmergencyCode";
    private const int Rounds = 600_000;
    // No 0/O, 1/I/L, 5/S, 2/Z: read aloud or copied by hand without doubt. 16 characters of 27: 76 bits (ADR 0010 says
    // what that means against guessing).
    private const string Alphabet = "346789ABCDEFGHJKMNPQRTUVWXY";
    private const int Length = 16;

    /// <summary>One slow hash at a time on this node: a crowd of callers waits its turn instead of taking every core.</summary>
    private static readonly SemaphoreSlim SlowHash = new(1, 1);

    public static (EmergencyCode Stored, string Code) New(string holder, DateTimeOffset now)
    {
        var chars = Enumerable.Range(0, Length).Select(_ => Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]).ToArray();
        var code = string.Join('-', Enumerable.Range(0, 4).Select(i => new string(chars, i * 4, 4)));
        var salt = RandomNumberGenerator.GetBytes(16);
        return (new EmergencyCode { Id = holder, Salt = salt, Hash = Derive(Normalise(code), salt), CreatedAt = now }, code);
    }

    /// <summary>Upper case, without the spaces and dashes people type or leave out.</summary>
    public static string Normalise(string? typed) =>
        new((typed ?? "").ToUpperInvariant().Where(c => !char.IsWhiteSpace(c) && c != '-').Take(64).ToArray());

    private static readonly byte[] DecoySalt = RandomNumberGenerator.GetBytes(16);

    /// <summary>Whether <paramref name="typed"/> could be a code at all (16 of the alphabet's characters once normalised).</summary>
    public static bool WellFormed(string? typed) => Normalise(typed) is { Length: Length } normal && normal.All(c => Alphabet.Contains(c));

    /// <summary>
    /// Whether <paramref name="typed"/> is the code; a missing code costs the same time (a decoy hash) and is never right.
    /// The hash runs on the thread pool, one at a time per node.
    /// </summary>
    public static async Task<bool> MatchesAsync(EmergencyCode? stored, string? typed, CancellationToken cancellation)
    {
        await SlowHash.WaitAsync(cancellation);
        try
        {
            var derived = await Task.Run(() => Derive(Normalise(typed), stored?.Salt ?? DecoySalt), cancellation);
            return stored is not null && CryptographicOperations.FixedTimeEquals(derived, stored.Hash);
        }
        finally { SlowHash.Release(); }
    }

    private static byte[] Derive(string code, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(System.Text.Encoding.UTF8.GetBytes(code), salt, Rounds, HashAlgorithmName.SHA256, 32);
}
