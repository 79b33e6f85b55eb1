using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using MimeKit;
using MySign.Kernel.Mail;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.Web.Shell;

public sealed record OutboxMail(DateTimeOffset At, string Kind, string To, string Subject, string Text, IReadOnlyList<string> Links);

/// <summary>
/// Development only: what the portal "sent" — the mail the local SMTP catcher received and the sandbox
/// SMS messages (each module lists its own through IDevOutboxSource), newest first —
/// so a person trying the portal can follow a link without a real mailbox. 404 in any other environment.
/// </summary>
public static class DevOutbox
{
    [WolverineGet("/dev/outbox"), AllowAnonymous]
    public static async Task<IResult> Get(HttpContext context, IHostEnvironment environment, IOptions<SmtpOptions> smtp, IEnumerable<IDevOutboxSource> sources)
    {
        if (!environment.IsDevelopment()) return Results.NotFound();
        var folder = smtp.Value.Maildir is { Length: > 0 } dir ? Path.Combine(dir, "new") : null;
        var items = folder is not null && Directory.Exists(folder)
            ? Directory.GetFiles(folder).OrderByDescending(File.GetLastWriteTimeUtc).Take(50).Select(Read).ToList()
            : [];
        foreach (var source in sources)
            items.AddRange((await source.RecentAsync(50, context.RequestAborted)).Select(i => new OutboxMail(i.At, i.Kind, i.To, i.Subject, i.Text, [])));
        return new HtmlView(typeof(DevOutbox).Assembly, "Shell/DevOutbox", items.OrderByDescending(i => i.At).ToList(), "outbox.title");
    }

    private static OutboxMail Read(string file)
    {
        var message = MimeMessage.Load(file);
        var text = message.TextBody ?? "";
        var links = System.Text.RegularExpressions.Regex.Matches(text, @"https?://[^\s<>""]+").Select(m => m.Value).Distinct().ToList();
        return new OutboxMail(message.Date, "E-mail", string.Join(", ", message.To.Mailboxes.Select(m => m.Address)), message.Subject ?? "", text, links);
    }
}
