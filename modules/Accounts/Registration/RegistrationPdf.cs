using System.Globalization;
using MySign.Accounts.Domain;
using MySign.Kernel.Localization;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace MySign.Accounts.Registration;

/// <summary>
/// The Registration Request the holder and the operator sign at the desk: A4, the holder's data, User ID and IUT,
/// office, operator and date, the terms the holder accepts, and a signature box for each. Text stays extractable.
/// </summary>
public static class RegistrationPdf
{
    private const double Margin = 56, Width = 595 - 2 * Margin;

    public static byte[] Build(HolderAccount holder, RaoOperator? registeredBy, string language)
    {
        string T(string key) => Strings.T(key, language);
        var culture = CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB");
        string Date(DateOnly? d) => d?.ToString("d", culture) ?? "";

        using var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        var y = 842 - Margin;

        void Line(string text, PdfDocumentBuilder.AddedFont font, double size, double indent = 0)
        {
            foreach (var line in Wrap(page, text, font, size, Width - indent))
            {
                page.AddText(Printable(line), size, new PdfPoint(Margin + indent, y), font);
                y -= size * 1.35;
            }
        }
        void Row(string label, string value)
        {
            page.AddText(Printable(label), 9.5, new PdfPoint(Margin, y), bold);
            foreach (var line in Wrap(page, value, regular, 9.5, Width - 170))
            {
                page.AddText(Printable(line), 9.5, new PdfPoint(Margin + 170, y), regular);
                y -= 13;
            }
        }

        Line(T("pdf.registration.title"), bold, 16);
        Line(T("pdf.registration.subtitle"), regular, 10);
        y -= 8;
        Line(T("pdf.registration.identifiers"), bold, 11);
        Row(T("personal.user_id"), holder.Id);
        Row("IUT", holder.Iut);
        y -= 6;
        Line(T("pdf.registration.holder"), bold, 11);
        Row(T("registration.first_name"), holder.FirstName);
        Row(T("registration.last_name"), holder.LastName);
        Row(T("registration.fiscal_code"), holder.FiscalCode);
        Row(T("registration.sex"), T("registration.sex." + holder.Sex.ToLowerInvariant()));
        Row(T("registration.birth_date"), Date(holder.BirthDate) + " — " + holder.BirthPlace);
        if (holder.Document is { } document)
            Row(T("registration.section.document"),
                $"{T("registration.doc_type." + document.Type)} {document.Number}, {holder.Document.Issuer}, {T("registration.doc_expiry")} {Date(document.Expiry)}");
        Row(T("registration.email"), holder.Email);
        Row(T("registration.mobile"), holder.RecoveryMobile);
        Row(T("registration.address"), $"{holder.Address}, {holder.PostCode} {holder.City} ({holder.Province}) {holder.Country}");
        y -= 6;
        Line(T("pdf.registration.registration"), bold, 11);
        Row(T("pdf.registration.office"), holder.Office);
        Row(T("pdf.registration.operator"), registeredBy is null ? holder.RegisteredBy : $"{registeredBy.FullName} ({registeredBy.Id})");
        Row(T("pdf.registration.date"), (holder.RegisteredAt is { } at ? TimeZoneInfo.ConvertTime(at, MySign.Kernel.Rendering.TemplateFunctions.PortalTimeZone).ToString("g", culture) : null) ?? "");
        y -= 6;
        Line(T("pdf.registration.terms"), bold, 11);
        foreach (var n in Enumerable.Range(1, 4)) Line(T($"pdf.registration.terms.{n}"), regular, 9, 0);
        y -= 14;

        // Two signature boxes side by side.
        var boxWidth = (Width - 20) / 2;
        foreach (var (label, x) in new[] { (T("pdf.registration.sign.holder"), Margin), (T("pdf.registration.sign.operator"), Margin + boxWidth + 20) })
        {
            page.DrawRectangle(new PdfPoint(x, y - 70), boxWidth, 70, 0.8);
            page.AddText(Printable(label), 9, new PdfPoint(x + 6, y - 12), bold);
        }
        y -= 90;
        page.AddText(Printable(T("pdf.registration.footer")), 8, new PdfPoint(Margin, Math.Max(y, 40)), regular);
        return builder.Build();
    }

    /// <summary>Greedy word wrap measured with the font's real widths.</summary>
    private static IEnumerable<string> Wrap(PdfPageBuilder page, string text, PdfDocumentBuilder.AddedFont font, double size, double width)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && Measure(page, candidate, font, size) > width)
            {
                yield return line;
                line = word;
            }
            else line = candidate;
        }
        if (line.Length > 0) yield return line;
    }

    private static double Measure(PdfPageBuilder page, string text, PdfDocumentBuilder.AddedFont font, double size)
    {
        var letters = page.MeasureText(Printable(text), size, new PdfPoint(0, 0), font);
        return letters.Count == 0 ? 0 : letters[^1].EndBaseLine.X;
    }

    /// <summary>The standard fonts cover Western European text (à, è, €); anything else becomes '?'.</summary>
    private static string Printable(string text) =>
        new(text.Select(c => c is '—' or '–' ? '-' : c is '’' ? '\'' : c < 256 || c == '€' ? c : '?').ToArray());
}
