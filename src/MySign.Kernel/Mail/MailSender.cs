using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MySign.Kernel.Mail;

public sealed class SmtpOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 2525;
    public string? User { get; set; }
    public string? Password { get; set; }
    /// <summary>StartTls in production; none for the local catcher.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.None;
    public string From { get; set; } = "MySign <no-reply@mysign.example>";
    /// <summary>Where the local SMTP catcher stores mail (Development's /dev/outbox reads it).</summary>
    public string? Maildir { get; set; }
}

/// <summary>
/// An e-mail: its body as plain text in <paramref name="Language"/> (paragraphs separated by a blank line, every link on
/// a line of its own), to <paramref name="Name"/> (the greeting's; none: "Dear customer,"). <see cref="MailLayout"/>
/// makes the HTML and the text part around it, both always sent.
/// </summary>
public sealed record OutgoingMail(string To, string Subject, string Text, string Language, string? Name, MailReason Why = MailReason.Account,
    IReadOnlyList<MailAttachment>? Attachments = null);

public sealed record MailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>The HTML part of a mail written as plain text: paragraphs, line breaks, links made clickable, all escaped.</summary>
public static class MailText
{
    public static string ToHtml(string text) => "<p>" + string.Join("</p><p>", text.Split("\n\n").Select(Paragraph)) + "</p>";

    /// <summary>One paragraph's inside: escaped, links clickable, line breaks kept.</summary>
    public static string Paragraph(string text) => Linkify(System.Net.WebUtility.HtmlEncode(text)).Replace("\n", "<br>");

    /// <summary>A link ends before a closing full stop, comma, colon or bracket: words around it never become part of it.</summary>
    private static string Linkify(string encoded) =>
        System.Text.RegularExpressions.Regex.Replace(encoded, @"https?://[^\s<]*[^\s<.,;:!?)\]]", m => $"<a href=\"{m.Value}\">{m.Value}</a>");
}

/// <summary>Sends through SMTP with MailKit. Modules write their mails' bodies; this lays them out (<see cref="MailLayout"/>) and delivers them.</summary>
public sealed class MailSender(IOptions<SmtpOptions> options, IOptions<Brand.TspOptions> tsp)
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellation = default)
    {
        var settings = options.Value;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        var body = new BodyBuilder { TextBody = MailLayout.Text(mail, tsp.Value), HtmlBody = MailLayout.Html(mail, tsp.Value) };
        var mark = body.LinkedResources.Add("mysign.png", MailLayout.Mark, ContentType.Parse("image/png"));
        mark.ContentId = MailLayout.MarkId;
        mark.ContentDisposition = new ContentDisposition(ContentDisposition.Inline);
        foreach (var attachment in mail.Attachments ?? []) body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
        message.Body = body.ToMessageBody();
        using var client = new SmtpClient { Timeout = 15_000 };
        await client.ConnectAsync(settings.Host, settings.Port, settings.Security, cancellation);
        if (!string.IsNullOrEmpty(settings.User)) await client.AuthenticateAsync(settings.User, settings.Password ?? "", cancellation);
        await client.SendAsync(message, cancellation);
        await client.DisconnectAsync(true, cancellation);
    }
}
