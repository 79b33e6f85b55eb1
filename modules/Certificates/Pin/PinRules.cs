namespace MySign.Certificates.Pin;

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
