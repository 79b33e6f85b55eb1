using System.Security.Cryptography;
using Sodium;

namespace MySign.Certificates.Custody;

/// <summary>
/// A holder's key sealed under the signature PIN, as the database keeps it: AES-256-GCM under a key derived from the PIN with
/// Argon2id (per-key salt) and bound to a server-side secret with HMAC (docs/adr/0005). What is sealed is the key as the
/// token wrapped it (<see cref="WrappedBy"/> names the token's wrapping key), so using it takes the PIN and the token
/// (docs/adr/0015). A key sealed before the HSM has no <see cref="WrappedBy"/>: its content is PKCS#8, and the next time the
/// PIN opens it the signature activation module moves it into the new form.
/// </summary>
public sealed record SealedKey(byte[] Salt, byte[] Nonce, byte[] Ciphertext, byte[] Tag, string? WrappedBy = null)
{
    public bool InToken => WrappedBy is not null;
}

/// <summary>Seals and opens a key under the PIN. Only the signature activation module calls it (an architecture test holds it).</summary>
public static class KeyVault
{
    private const long OpsLimit = 3;
    private const int MemLimit = 19 * 1024 * 1024;

    /// <param name="wrappedBy">the token key that wrapped <paramref name="content"/>; null only to make an old-format key (tests of the migration).</param>
    public static SealedKey Seal(ReadOnlySpan<byte> content, string pin, byte[] serverSecret, string? wrappedBy)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[content.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(DeriveKey(pin, salt, serverSecret), 16);
        aes.Encrypt(nonce, content, ciphertext, tag);
        return new SealedKey(salt, nonce, ciphertext, tag, wrappedBy);
    }

    /// <summary>What was sealed (the token-wrapped key; PKCS#8 for an old one), or null when the PIN is wrong.</summary>
    public static byte[]? Open(SealedKey sealedKey, string pin, byte[] serverSecret)
    {
        var plain = new byte[sealedKey.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(DeriveKey(pin, sealedKey.Salt, serverSecret), 16);
            aes.Decrypt(sealedKey.Nonce, sealedKey.Ciphertext, sealedKey.Tag, plain);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] DeriveKey(string pin, byte[] salt, byte[] serverSecret)
    {
        var stretched = PasswordHash.ArgonHashBinary(System.Text.Encoding.UTF8.GetBytes(pin), salt, OpsLimit, MemLimit, 32, PasswordHash.ArgonAlgorithm.Argon_2ID13);
        return HMACSHA256.HashData(serverSecret, stretched);
    }
}
