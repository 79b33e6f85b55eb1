using System.Reflection;

namespace MySign.Accounts.Domain;

/// <summary>
/// NIST SP 800-63B / ASVS: at least 12 characters, long passphrases welcome (up to 256, never truncated),
/// any Unicode, no composition rules; refused: the User ID inside it, a single repeated character, and the
/// common-password list. Returns the message key of the first problem, or null.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 256;

    private static readonly Lazy<HashSet<string>> Common = new(() =>
    {
        var assembly = Assembly.GetExecutingAssembly();
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("common-passwords.txt", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith('#')).Select(l => l.ToLowerInvariant()).ToHashSet();
    });

    public static string? Problem(string password, string userId)
    {
        var length = new System.Globalization.StringInfo(password.Normalize()).LengthInTextElements;
        if (length < MinLength) return "password.error.short";
        if (length > MaxLength) return "password.error.long";
        if (userId.Length > 0 && password.Contains(userId, StringComparison.OrdinalIgnoreCase)) return "password.error.user_id";
        if (password.Distinct().Count() <= 2 || Common.Value.Contains(password.ToLowerInvariant())) return "password.error.common";
        return null;
    }
}
