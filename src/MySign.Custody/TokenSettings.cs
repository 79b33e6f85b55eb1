namespace MySign.Custody;

/// <summary>
/// Which PKCS#11 token to use: the vendor's module (a shared library), the token's label and the user PIN. In Production
/// these are <c>Hsm__Library</c>, <c>Hsm__TokenLabel</c> and <c>Hsm__Pin</c>; <paramref name="Setting"/> is the prefix the
/// messages name when something is missing or wrong ("Hsm", or "Hsm:Root" for the CA ceremony's token).
/// <paramref name="LockFile"/> (<c>Hsm__LockFile</c>) is for a file-backed token only (SoftHSM2): the file every process that
/// opens the token holds while it logs in or changes objects (<see cref="TokenLock"/>).
/// </summary>
public sealed record TokenSettings(string Library, string TokenLabel, string Pin, string Setting = "Hsm", string? LockFile = null)
{
    public override string ToString() => $"{Setting}: token '{TokenLabel}' in {Library}"; // never the PIN
}

/// <summary>The token cannot be used as configured: the message names the setting to fix.</summary>
public sealed class TokenUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
