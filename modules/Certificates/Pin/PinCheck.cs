using Marten;
using Marten.Patching;
using MySign.Certificates.Domain;
using MySign.Certificates.Issuance;
using MySign.Certificates.Keys;

namespace MySign.Certificates.Pin;

public enum PinResult { Ok, Wrong, Blocked }

/// <summary>
/// A PIN is right when it opens the sealed key. Wrong PINs are counted with an atomic increment; at five
/// the PIN is blocked (unblocked only by the RAO or a renewal).
/// </summary>
public static class PinCheck
{
    public static async Task<(PinResult Result, byte[]? Pkcs8)> OpenAsync(IDocumentSession session, HolderCertificate certificate, string pin, Issuer issuer)
    {
        if (certificate.PinBlocked || certificate.Key is null) return (PinResult.Blocked, null);
        var key = pin.Length is > 0 and <= 16 ? await Task.Run(() => KeyVault.Open(certificate.Key, pin, issuer.KeySecret)) : null;
        if (key is null)
        {
            session.Patch<HolderCertificate>(certificate.Id).Increment(c => c.WrongPinAttempts);
            return (certificate.WrongPinAttempts + 1 >= HolderCertificate.MaxPinAttempts ? PinResult.Blocked : PinResult.Wrong, null);
        }
        if (certificate.WrongPinAttempts > 0)
        {
            certificate.WrongPinAttempts = 0;
            session.Patch<HolderCertificate>(certificate.Id).Set(c => c.WrongPinAttempts, 0);
        }
        return (PinResult.Ok, key);
    }

    public static string ErrorKey(PinResult result) => result == PinResult.Blocked ? "pin.error.blocked" : "pin.error.wrong";
}
