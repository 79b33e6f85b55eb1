namespace MySign.Billing.Invoicing;

/// <summary>
/// What FatturaPA's text fields accept: Basic Latin and Latin-1 letters (String60LatinType and its kin), one line, within
/// the field's length. A name in another script is refused where it is typed, never turned into a file SdI rejects.
/// </summary>
public static class FatturaPaText
{
    public static bool Fits(string? value, int max) =>
        value is { Length: > 0 } && value.Length <= max && value.Trim().Length > 0 && value.All(c => c is >= ' ' and <= '~' or >= '\u00A0' and <= '\u00FF');
}
