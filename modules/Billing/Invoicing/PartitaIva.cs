namespace MySign.Billing.Invoicing;

/// <summary>
/// The Italian VAT number (Partita IVA): eleven digits, the last a check digit over the first ten (digits in odd
/// places added as they are, those in even places doubled with 9 taken off a result over 9; the check makes the
/// sum a multiple of 10). SdI refuses an invoice whose numbers fail it; the store refuses them as they are typed.
/// </summary>
public static class PartitaIva
{
    public static bool IsValid(string? number)
    {
        if (number is not { Length: 11 } || !number.All(char.IsAsciiDigit) || number == "00000000000") return false;
        var sum = 0;
        for (var i = 0; i < 10; i++)
        {
            var digit = number[i] - '0';
            if (i % 2 == 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            sum += digit;
        }
        return (10 - sum % 10) % 10 == number[10] - '0';
    }
}
