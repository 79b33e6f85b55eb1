using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using MimeKit;

namespace MySign.Testing;

/// <summary>
/// The links of a mail as its reader meets them: what a click on the HTML part opens (the anchors' targets) and what a
/// mail client makes of the text part (an address runs until the next blank, full stop included). Tests follow these,
/// never a pattern that picks the clean part of a link out of its sentence.
/// </summary>
public static partial class MailLinks
{
    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Address();

    /// <summary>The links of the text part, each as far as a mail client would take it.</summary>
    public static IReadOnlyList<string> InText(MimeMessage mail) =>
        Address().Matches(mail.TextBody ?? "").Select(m => m.Value).ToList();

    /// <summary>The targets of the HTML part's links.</summary>
    public static IReadOnlyList<string> InHtml(MimeMessage mail) =>
        new HtmlParser().ParseDocument(mail.HtmlBody ?? "").QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!).ToList();

    /// <summary>
    /// The path and query of the link a person clicks in the HTML part to reach <paramref name="path"/> (the portal's
    /// address, whatever its host, is left out so a test client can open it).
    /// </summary>
    public static string Click(MimeMessage mail, string path)
    {
        var link = InHtml(mail).FirstOrDefault(l => Uri.TryCreate(l, UriKind.Absolute, out var uri) && uri.AbsolutePath == path)
                   ?? throw new InvalidOperationException($"The mail '{mail.Subject}' has no link to {path}. Its links: {string.Join(", ", InHtml(mail))}");
        return new Uri(link).PathAndQuery;
    }

    /// <summary>
    /// Why the mail's links are not safe to follow: a link of the text part that shares its line with words (a full stop
    /// or a colon is read as part of it), or an HTML part whose links differ from the text part's.
    /// </summary>
    public static IReadOnlyList<string> Problems(MimeMessage mail)
    {
        var problems = new List<string>();
        foreach (var line in (mail.TextBody ?? "").Split('\n').Select(l => l.Trim()))
        foreach (var link in Address().Matches(line).Select(m => m.Value))
            if (link != line) problems.Add($"the text link {link} shares its line: \"{line}\"");
        var text = InText(mail).Order().ToList();
        var html = InHtml(mail).Order().ToList();
        if (!text.SequenceEqual(html)) problems.Add($"the HTML part links to [{string.Join(", ", html)}], the text part to [{string.Join(", ", text)}]");
        return problems;
    }
}
