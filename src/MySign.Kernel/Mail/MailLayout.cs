using System.Globalization;
using System.Net;
using System.Text;
using MySign.Kernel.Brand;
using MySign.Kernel.Localization;
using MySign.Kernel.Rendering;

namespace MySign.Kernel.Mail;

/// <summary>Why someone receives a mail: the footer says it, so a person can tell a real MySign mail from a lure.</summary>
public enum MailReason { Account, Registration, Reminder, Store }

/// <summary>
/// The one look of every mail: the header with the mark, one greeting ("Dear Ilaria," / "Gentile Ilaria,"), the body as
/// short paragraphs (a link alone on its line becomes a button), and the footer naming the TSP, its support contact and
/// why this address receives the mail. Both parts carry the same words and links; the HTML's styles are inline and its
/// layout is tables, which the common mail clients keep. Modules write only the body, in the mail's language.
/// </summary>
public static class MailLayout
{
    /// <summary>The Content-ID of the mark, attached to the HTML part as an inline image (clients block remote images).</summary>
    public const string MarkId = "mysign-mark";

    private static readonly Lazy<byte[]> MarkPng = new(() =>
    {
        var assembly = typeof(MailLayout).Assembly;
        using var stream = assembly.GetManifestResourceStream(assembly.GetManifestResourceNames().Single(n => n.EndsWith(".Brand.mark.png", StringComparison.Ordinal)))!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The mark as a PNG (drawn from <see cref="Look.Mark"/> at 96 px).</summary>
    public static byte[] Mark => MarkPng.Value;

    public static string Greeting(string? name, string language) =>
        string.IsNullOrWhiteSpace(name) ? Strings.T("mail.layout.greeting_anonymous", language)
            : string.Format(CultureInfo.InvariantCulture, Strings.T("mail.layout.greeting", language), name.Trim());

    /// <summary>The footer's lines, the same in both parts.</summary>
    public static string[] Footer(MailReason why, string language, TspOptions tsp) =>
    [
        $"{tsp.LegalName} · {tsp.Address} · {Strings.T("mail.layout.vat", language)} {tsp.VatNumber}",
        string.Format(CultureInfo.InvariantCulture, Strings.T("mail.layout.support", language), tsp.SupportEmail, tsp.SupportPhone),
        Strings.T("mail.layout.why." + why.ToString().ToLowerInvariant(), language),
    ];

    public static string Text(OutgoingMail mail, TspOptions tsp) =>
        Greeting(mail.Name, mail.Language) + "\n\n" + mail.Text.Trim() + "\n\n-- \n" + string.Join("\n", Footer(mail.Why, mail.Language, tsp)) + "\n";

    public static string Html(OutgoingMail mail, TspOptions tsp)
    {
        var footer = Footer(mail.Why, mail.Language, tsp);
        var model = new Dictionary<string, object?>
        {
            ["lang"] = mail.Language, ["subject"] = mail.Subject, ["greeting"] = Greeting(mail.Name, mail.Language), ["body"] = Body(mail.Text, mail.Language),
            ["tsp"] = tsp.LegalName, ["address"] = tsp.Address, ["vat"] = Strings.T("mail.layout.vat", mail.Language) + " " + tsp.VatNumber,
            ["support"] = footer[1], ["why"] = footer[2], ["mark_id"] = MarkId,
            ["brand"] = Look.Brand, ["ink"] = Look.Ink, ["muted"] = Look.Muted, ["line"] = Look.Line, ["background"] = Look.Background,
        };
        return Templates.Render(Templates.Get(typeof(MailLayout).Assembly, "Mail/MailLayout"), new Dictionary<string, object?> { ["model"] = model });
    }

    /// <summary>
    /// The body's paragraphs with inline styles; a paragraph that is one link is the mail's action, drawn as a button
    /// (its address written under it, unlinked, for those who copy it).
    /// </summary>
    private static RawHtml Body(string text, string language)
    {
        var html = new StringBuilder();
        foreach (var paragraph in text.Trim().Split("\n\n"))
        {
            var trimmed = paragraph.Trim();
            if (Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !trimmed.Contains(' ') && !trimmed.Contains('\n'))
            {
                var href = WebUtility.HtmlEncode(trimmed);
                html.Append("<p style=\"margin:8px 0 4px;\"><a class=\"mail-button\" href=\"").Append(href)
                    .Append($"\" style=\"display:inline-block;background:{Look.Brand};color:#ffffff;padding:10px 20px;border-radius:4px;text-decoration:none;font-weight:bold;\">")
                    .Append(WebUtility.HtmlEncode(Strings.T("mail.layout.open", language))).Append("</a></p>")
                    .Append($"<p style=\"margin:0 0 16px;font-size:12px;color:{Look.Muted};word-break:break-all;\">").Append(href).Append("</p>");
            }
            else
                html.Append("<p style=\"margin:0 0 16px;\">").Append(MailText.Paragraph(trimmed)).Append("</p>");
        }
        return new RawHtml(html.ToString());
    }
}
