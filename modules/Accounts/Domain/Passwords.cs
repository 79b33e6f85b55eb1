using Sodium;

namespace MySign.Accounts.Domain;

/// <summary>
/// Argon2id through libsodium, m = 19 MiB, t = 3, p = 1: above OWASP's minimum (19 MiB, t = 2), since
/// Sodium.Core refuses fewer than 3 passes. The encoded hash carries its own parameters, so a hash made
/// at another cost is detected and rehashed on sign-in.
/// </summary>
public static class Passwords
{
    public const long OpsLimit = 3;
    public const int MemLimit = 19 * 1024 * 1024;

    public static string Hash(string password) => PasswordHash.ArgonHashString(password, OpsLimit, MemLimit).TrimEnd('\0');

    public static bool Verify(string hash, string password) =>
        hash.Length > 0 && PasswordHash.ArgonHashStringVerify(hash, password);

    public static bool NeedsRehash(string hash) =>
        PasswordHash.ArgonPasswordNeedsRehash(System.Text.Encoding.UTF8.GetBytes(hash), OpsLimit, MemLimit);

    /// <summary>Verified against when the User ID is unknown, so both cases cost the same time.</summary>
    public static readonly Lazy<string> Decoy = new(() => Hash(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18))));
}
