using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace MySign.Kernel.Documents;

/// <summary>Who issues a document, as its letterhead names them.</summary>
public sealed record Letterhead(string LegalName, string Address, string Vat, string Contacts)
{
    /// <summary>The TSP's own letterhead in <paramref name="language"/> (the VAT label is the language's).</summary>
    public static Letterhead Of(Brand.TspOptions tsp, string language) =>
        new(tsp.LegalName, tsp.Address, Localization.Strings.T("mail.layout.vat", language) + " " + tsp.VatNumber, tsp.Contacts);
}

/// <summary>
/// A printable A4 page of text written top to bottom with PdfPig's standard fonts (text stays extractable):
/// headings, wrapped paragraphs, label/value rows, boxes. Registration Requests and invoices are made with it.
/// </summary>
public sealed class SimplePdf : IDisposable
{
    private const double Margin = 56, Width = 595 - 2 * Margin;
    private readonly PdfDocumentBuilder _builder = new();
    private readonly PdfDocumentBuilder.AddedFont _regular, _bold;
    private readonly PdfPageBuilder _page;
    private double _y = 842 - Margin;

    // DejaVu Sans (embedded, Bitstream Vera licence): the standard PDF fonts have no € and no letters beyond Latin-1.
    private static readonly Lazy<byte[]> RegularFont = new(() => Font("DejaVuSans.ttf"));
    private static readonly Lazy<byte[]> BoldFont = new(() => Font("DejaVuSans-Bold.ttf"));

    public SimplePdf()
    {
        _regular = _builder.AddTrueTypeFont(RegularFont.Value);
        _bold = _builder.AddTrueTypeFont(BoldFont.Value);
        _page = _builder.AddPage(PageSize.A4);
    }

    private static byte[] Font(string file)
    {
        var assembly = typeof(SimplePdf).Assembly;
        using var stream = assembly.GetManifestResourceStream(assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + file, StringComparison.Ordinal)))!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public SimplePdf Text(string text, double size = 9.5, bool bold = false)
    {
        var font = bold ? _bold : _regular;
        foreach (var line in Wrap(text, font, size, Width))
        {
            _page.AddText(Printable(line), size, new PdfPoint(Margin, _y), font);
            _y -= size * 1.35;
        }
        return this;
    }

    public SimplePdf Heading(string text, double size = 11) => Gap(4).Text(text, size, bold: true);

    /// <summary>
    /// The letterhead at the top of the page: the mark (drawn in lines, as <see cref="Brand.Look.Mark"/> draws it) with
    /// "MySign · SelfCare Signature" on the left, the TSP's legal name, address, VAT number and contacts on the right,
    /// and a rule in the brand colour under both.
    /// </summary>
    public SimplePdf Letterhead(Letterhead head)
    {
        const double mark = 34;
        var top = _y + 14;
        DrawMark(Margin, top - mark, mark);
        Colour(Brand.Look.Brand);
        _page.AddText("MySign", 15, new PdfPoint(Margin + mark + 8, top - 15), _bold);
        Colour(Brand.Look.Muted);
        _page.AddText("SelfCare Signature", 8.5, new PdfPoint(Margin + mark + 8, top - 28), _regular);
        var lineY = top - 8;
        foreach (var (line, bold) in new[] { (head.LegalName, true), (head.Address, false), (head.Vat, false), (head.Contacts, false) })
        {
            var font = bold ? _bold : _regular;
            var size = bold ? 9 : 7.5;
            var text = Printable(line);
            _page.AddText(text, size, new PdfPoint(Margin + Width - Measure(text, font, size), lineY), font);
            lineY -= size * 1.35;
        }
        _page.ResetColor();
        _y = Math.Min(top - mark, lineY) - 6;
        Colour(Brand.Look.Brand);
        _page.DrawLine(new PdfPoint(Margin, _y), new PdfPoint(Margin + Width, _y), 1.5);
        _page.ResetColor();
        _y -= 22;
        return this;
    }

    /// <summary>The mark on the 32 × 32 grid scaled to <paramref name="size"/> points, its lower left corner at (x, y).</summary>
    private void DrawMark(double x, double y, double size)
    {
        var k = size / 32;
        Colour(Brand.Look.Brand);
        _page.DrawRectangle(new PdfPoint(x, y), size, size, 0.1, fill: true);
        PdfPoint At(double gx, double gy) => new(x + gx * k, y + (32 - gy) * k);
        _page.SetStrokeColor(255, 255, 255);
        _page.SetTextAndFillColor(255, 255, 255);
        var stroke = Brand.Look.Stroke;
        for (var i = 1; i < stroke.Length; i++) _page.DrawLine(At(stroke[i - 1].X, stroke[i - 1].Y), At(stroke[i].X, stroke[i].Y), 2.6 * k);
        foreach (var (gx, gy) in stroke) _page.DrawCircle(At(gx, gy), 2.6 * k, 0.01, fill: true); // round joins and caps
        Colour(Brand.Look.Accent);
        _page.DrawLine(At(7, 24.5), At(25, 24.5), 2.2 * k);
        _page.ResetColor();
    }

    private void Colour(string hex)
    {
        var (r, g, b) = (Convert.ToByte(hex[1..3], 16), Convert.ToByte(hex[3..5], 16), Convert.ToByte(hex[5..7], 16));
        _page.SetStrokeColor(r, g, b);
        _page.SetTextAndFillColor(r, g, b);
    }

    public SimplePdf Row(string label, string value, double valueAt = 170)
    {
        _page.AddText(Printable(label), 9.5, new PdfPoint(Margin, _y), _bold);
        foreach (var line in Wrap(value, _regular, 9.5, Width - valueAt))
        {
            _page.AddText(Printable(line), 9.5, new PdfPoint(Margin + valueAt, _y), _regular);
            _y -= 13;
        }
        return this;
    }

    public SimplePdf Gap(double points)
    {
        _y -= points;
        return this;
    }

    /// <summary>Boxes side by side, each with its label at the top (signature boxes).</summary>
    public SimplePdf Boxes(double height, params string[] labels)
    {
        var width = (Width - 20 * (labels.Length - 1)) / labels.Length;
        for (var i = 0; i < labels.Length; i++)
        {
            var x = Margin + i * (width + 20);
            _page.DrawRectangle(new PdfPoint(x, _y - height), width, height, 0.8);
            _page.AddText(Printable(labels[i]), 9, new PdfPoint(x + 6, _y - 12), _bold);
        }
        _y -= height + 16;
        return this;
    }

    public byte[] Build() => _builder.Build();

    public void Dispose() => _builder.Dispose();

    /// <summary>Greedy word wrap measured with the font's real widths.</summary>
    private IEnumerable<string> Wrap(string text, PdfDocumentBuilder.AddedFont font, double size, double width)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && Measure(candidate, font, size) > width)
            {
                yield return line;
                line = word;
            }
            else line = candidate;
        }
        if (line.Length > 0) yield return line;
    }

    private double Measure(string text, PdfDocumentBuilder.AddedFont font, double size)
    {
        var letters = _page.MeasureText(Printable(text), size, new PdfPoint(0, 0), font);
        return letters.Count == 0 ? 0 : letters[^1].EndBaseLine.X;
    }

    /// <summary>What DejaVu Sans draws (Latin, Greek, Cyrillic, punctuation, €); control and other characters become '?'.</summary>
    private static string Printable(string text) =>
        new(text.Select(c => char.IsControl(c) ? ' ' : Drawn(c) ? c : '?').ToArray());

    /// <summary>
    /// Whether every character of <paramref name="text"/> is drawn as itself (forms refuse what is not, with a message,
    /// rather than print '?'). Scripts written right to left or needing shaping (Arabic, Hebrew, Indic) are not.
    /// </summary>
    public static bool CanPrint(string text) => text.All(c => char.IsControl(c) || Drawn(c));

    private static bool Drawn(char c) => c < 0x0530 || c is >= '\u2010' and <= '\u2044' || c == '€';
}
