using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace MySign.Kernel.Documents;

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
