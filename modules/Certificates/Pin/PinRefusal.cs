using MySign.Certificates.Custody;
using MySign.Kernel.Localization;

namespace MySign.Certificates.Pin;

/// <summary>
/// What a page says after the PIN check refused: a wrong PIN with how many attempts are left before it is blocked (the count
/// the check just returned), or that it is blocked. In the reader's language, ready for an error slot.
/// </summary>
public static class PinRefusal
{
    public static string For(PinOutcome outcome)
    {
        if (outcome.Result != PinResult.Wrong) return Strings.T(outcome.ErrorKey);
        var left = outcome.AttemptsLeft;
        return left == 1 ? Strings.T("pin.error.wrong_last") : Strings.Format("pin.error.wrong_left", left);
    }
}
