using System.Security.Cryptography;
using Sodium;

namespace MySign.Certificates.Keys;

/// <summary>
/// A holder's private key sealed under the signature PIN, as a remote signature device keeps it: the key
/// (PKCS#8) is encrypted with AES-256-GCM under a key derived from the PIN with Argon2id (per-key salt)
/// and bound to a server-side secret with HMAC. The PIN is never stored; a wrong PIN fails the GCM tag.
/// </summary>
public sealed record SealedKey(byte[] Salt, byte[] Nonce, byte[] Ciphertext, byte[] Tag);

public static class KeyVault
{
    private const long OpsLimit = 3;
    private const int MemLimit = 19 * 1024 * 1024;

    public static SealedKey Seal(ReadOnlySpan<byte> pkcs8, string pin, byte[] serverSecret)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[pkcs8.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(DeriveKey(pin, salt, serverSecret), 16);
        aes.Encrypt(nonce, pkcs8, ciphertext, tag);
        return new SealedKey(salt, nonce, ciphertext, tag);
    }

    /// <summary>The PKCS#8 key, or null when the PIN is wrong.</summary>
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

/// <summary>Signature PIN rules: 6 to 8 digits, not all the same, not a plain run (123456).</summary>
public static class PinRules
{
    public static string? Problem(string pin)
    {
        if (pin.Length is < 6 or > 8 || !pin.All(char.IsAsciiDigit)) return "pin.error.format";
        if (pin.Distinct().Count() == 1 || "0123456789012345678".Contains(pin) || "9876543210987654321".Contains(pin)) return "pin.error.weak";
        return null;
    }
}
