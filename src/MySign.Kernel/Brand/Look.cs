namespace MySign.Kernel.Brand;

/// <summary>
/// MySign's identity, written once for pages, e-mails and PDFs: the mark (our own SVG, drawn again with lines in the
/// PDF letterhead) and the colours app.css names as tokens (--brand, --accent, --ink, --muted, --line, --bg): a test
/// holds the stylesheet and these values together.
/// </summary>
public static class Look
{
    public const string Brand = "#0b4f8a", BrandDark = "#083a66", Accent = "#f0a500", Ink = "#1b1f24", Muted = "#4a5361", Line = "#d5dbe3", Background = "#f6f8fb";

    /// <summary>The product's name and the line beside the mark in every header.</summary>
    public const string Name = "MySign", Tagline = "SelfCare Signature";

    /// <summary>
    /// The mark on a 32 × 32 grid: a rounded square in the brand colour, an "M" drawn as one pen stroke, the signature's
    /// underline in the accent colour. Decorative wherever the name is written beside it.
    /// </summary>
    public static string Mark(int size = 36, string cssClass = "mark") =>
        $"<svg class=\"{cssClass}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\" width=\"{size}\" height=\"{size}\" aria-hidden=\"true\" focusable=\"false\">"
        + $"<rect width=\"32\" height=\"32\" rx=\"7\" fill=\"{Brand}\"/>"
        + "<path d=\"" + StrokePath + "\" fill=\"none\" stroke=\"#fff\" stroke-width=\"2.6\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>"
        + $"<path d=\"M7 24.5h18\" stroke=\"{Accent}\" stroke-width=\"2.2\" stroke-linecap=\"round\"/></svg>";

    /// <summary>The "M" stroke's points on the 32 × 32 grid (y downwards), for those who draw it without SVG (the PDF).</summary>
    public static readonly (double X, double Y)[] Stroke = [(7, 19.5), (11.5, 10.5), (16, 19.5), (20.5, 10.5), (25, 19.5)];

    private static readonly string StrokePath = "M" + string.Join(" L", Stroke.Select(p => FormattableString.Invariant($"{p.X} {p.Y}")));
}
