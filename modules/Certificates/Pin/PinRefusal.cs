using MySign.Certificates.Domain;
using MySign.Kernel.Localization;

namespace MySign.Certificates.Pin;

/// <summary>
/// What a page says after the PIN check refused: a wrong PIN with how many attempts are left before it is blocked (the count
/// the check just returned on the certificate), or that it is blocked. In the reader's language, ready for an error slot.
/// </summary>
public static class PinRefusal
{
    public static string For(PinResult result, HolderCertificate certificate)
    {
        if (result != PinResult.Wrong) return Strings.T(PinCheck.ErrorKey(result));
        var left = Math.Max(0, HolderCertificate.MaxPinAttempts - certificate.WrongPinAttempts);
        return left == 1 ? Strings.T("pin.error.wrong_last") : Strings.Format("pin.error.wrong_left", left);
    }
}
