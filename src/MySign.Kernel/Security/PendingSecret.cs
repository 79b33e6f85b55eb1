using Microsoft.AspNetCore.DataProtection;

namespace MySign.Kernel.Security;

/// <summary>
/// A secret kept between two steps of a form — a new signature PIN until the OTP that confirms it — sealed by data
/// protection under its module's purpose (keys shared by every node, in PostgreSQL), and never stored in clear.
/// </summary>
public static class PendingSecret
{
    public static string Seal(this IDataProtectionProvider protection, string purpose, string secret) =>
        protection.CreateProtector(purpose).Protect(secret);

    public static string Open(this IDataProtectionProvider protection, string purpose, string sealedSecret) =>
        protection.CreateProtector(purpose).Unprotect(sealedSecret);
}
