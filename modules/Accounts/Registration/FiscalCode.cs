using System.Globalization;
using System.Text;

namespace MySign.Accounts.Registration;

/// <summary>
/// The Italian codice fiscale (DM 23/12/1976): 3 letters from the surname, 3 from the name, year, month letter,
/// day (+40 for women), the 4-character place code, a check letter. Digits may be replaced by letters
/// (omocodia) when two people would otherwise share a code; the check letter covers the code as written.
/// </summary>
public static partial class FiscalCode
{
    private const string MonthLetters = "ABCDEHLMPRST";
    private const string OmocodiaLetters = "LMNPQRSTUV";
    private static readonly int[] DigitPositions = [6, 7, 9, 10, 12, 13, 14];
    private static readonly int[] OddValues = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

    public static string Normalise(string typed) => new string(typed.Where(c => !char.IsWhiteSpace(c)).ToArray()).ToUpperInvariant();

    /// <summary>The message key of the first problem, or null when the code is well formed and its check letter right.</summary>
    public static string? FormatProblem(string code)
    {
        if (code.Length != 16 || !code.All(char.IsAsciiLetterOrDigit)) return "registration.error.fiscal_code.format";
        var plain = Deomocode(code);
        if (!Shape().IsMatch(plain)) return "registration.error.fiscal_code.format";
        var day = int.Parse(plain.AsSpan(9, 2), CultureInfo.InvariantCulture);
        if (day is < 1 or > 71 || day is > 31 and < 41) return "registration.error.fiscal_code.format";
        return CheckLetter(code.AsSpan(0, 15)) == code[15] ? null : "registration.error.fiscal_code.check";
    }

    /// <summary>Whether the code was made from these details (the place code is not checked: no municipality register here).</summary>
    public static string? ConsistencyProblem(string code, string surname, string name, DateOnly birthDate, string sex)
    {
        var plain = Deomocode(code);
        if (plain[..3] != SurnamePart(surname)) return "registration.error.fiscal_code.surname";
        if (plain[3..6] != NamePart(name)) return "registration.error.fiscal_code.name";
        var day = int.Parse(plain.AsSpan(9, 2), CultureInfo.InvariantCulture);
        var female = day > 40;
        if ((sex == "F") != female) return "registration.error.fiscal_code.sex";
        if (int.Parse(plain.AsSpan(6, 2), CultureInfo.InvariantCulture) != birthDate.Year % 100
            || MonthLetters.IndexOf(plain[8]) + 1 != birthDate.Month || (female ? day - 40 : day) != birthDate.Day)
            return "registration.error.fiscal_code.birth_date";
        return null;
    }

    public static string SurnamePart(string surname)
    {
        var letters = Letters(surname);
        return (Consonants(letters) + Vowels(letters) + "XXX")[..3];
    }

    public static string NamePart(string name)
    {
        var letters = Letters(name);
        var consonants = Consonants(letters);
        if (consonants.Length >= 4) return $"{consonants[0]}{consonants[2]}{consonants[3]}";
        return (consonants + Vowels(letters) + "XXX")[..3];
    }

    public static char CheckLetter(ReadOnlySpan<char> first15)
    {
        var sum = 0;
        for (var i = 0; i < 15; i++)
        {
            var c = first15[i];
            var value = char.IsAsciiDigit(c) ? c - '0' : c - 'A';
            sum += i % 2 == 0 ? OddValues[value] : value; // positions 1, 3, 5… (1-based) are the "odd" ones
        }
        return (char)('A' + sum % 26);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Z]{6}[0-9]{2}[ABCDEHLMPRST][0-9]{2}[A-Z][0-9]{3}[A-Z]$")]
    private static partial System.Text.RegularExpressions.Regex Shape();

    private static string Deomocode(string code)
    {
        var chars = code.ToCharArray();
        foreach (var i in DigitPositions)
            if (OmocodiaLetters.IndexOf(chars[i]) is var d and >= 0) chars[i] = (char)('0' + d);
        return new string(chars);
    }

    /// <summary>Upper-case ASCII letters only: accents dropped (è → E), apostrophes and spaces removed.</summary>
    private static string Letters(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD))
            if (char.IsAsciiLetter(c)) builder.Append(char.ToUpperInvariant(c));
        return builder.ToString();
    }

    private static string Consonants(string letters) => new(letters.Where(c => !"AEIOU".Contains(c)).ToArray());
    private static string Vowels(string letters) => new(letters.Where(c => "AEIOU".Contains(c)).ToArray());
}
