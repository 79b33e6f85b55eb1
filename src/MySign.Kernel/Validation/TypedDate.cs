using System.Globalization;

namespace MySign.Kernel.Validation;

/// <summary>
/// Calendar days typed into a page: day/month/year as both languages write them (the field shows dd/mm/yyyy or
/// gg/mm/aaaa, whatever the browser's own locale), and ISO yyyy-mm-dd from links and older forms. A browser's
/// date picker would show the browser's format, not the page's, so the fields are text.
/// </summary>
public static class TypedDate
{
    private static readonly string[] Formats = ["dd/MM/yyyy", "d/M/yyyy", "yyyy-MM-dd", "dd-MM-yyyy", "d-M-yyyy", "dd.MM.yyyy", "d.M.yyyy"];

    /// <summary>The day, or null for anything else, including days people cannot mean (outside the years given).</summary>
    public static DateOnly? Parse(string? typed, int minYear = 1900, int maxYear = 2200) =>
        DateOnly.TryParseExact((typed ?? "").Trim(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
        && day.Year >= minYear && day.Year <= maxYear ? day : null;

    /// <summary>How a field shows a day: dd/mm/yyyy, the format of both the Italian and the (European) English pages.</summary>
    public static string Show(DateOnly day) => day.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
}
