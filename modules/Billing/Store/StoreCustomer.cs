using System.Security.Cryptography;
using System.Text;

namespace MySign.Billing.Store;

/// <summary>A MySign Store account: separate from MySign User IDs (the store is its own system). Id is the e-mail, lower case.</summary>
public sealed class StoreCustomer
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The link mailed at creation was followed: the address is the creator's. Only confirmed accounts sign in.</summary>
    public bool Confirmed { get; set; }
}

/// <summary>PBKDF2-SHA256, 210,000 iterations (OWASP 2023), salted; the store keeps its own credentials.</summary>
public static class StorePasswords
{
    private const int Iterations = 210_000;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(key)}";
    }

    /// <summary>
    /// Checks a password against a stored hash. With no account (<paramref name="hash"/> null) the password is
    /// checked against a decoy and refused, so an unknown e-mail costs the same time as a wrong password.
    /// </summary>
    public static bool Verify(string? hash, string password)
    {
        var parts = (hash ?? Decoy.Value).Split('$');
        if (parts.Length != 4 || !int.TryParse(parts[1], out var iterations)) return false;
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(parts[2]), iterations, HashAlgorithmName.SHA256, 32);
        return CryptographicOperations.FixedTimeEquals(key, Convert.FromBase64String(parts[3])) && hash is not null;
    }

    private static readonly Lazy<string> Decoy = new(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18))));
}
