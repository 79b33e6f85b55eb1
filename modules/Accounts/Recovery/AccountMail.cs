using System.Security.Cryptography;
using MySign.Accounts.Sessions;
using MySign.Kernel.Localization;
using MySign.Kernel.Mail;

namespace MySign.Accounts.Recovery;

/// <summary>The Accounts module's e-mails: text from the localiser in the holder's language, HTML and plain text.</summary>
public sealed class AccountMail(MailSender sender, MySign.Kernel.Web.PortalUrl portal)
{
    /// <summary>Links are built from configuration (Portal:BaseUrl), never from the request's Host header.</summary>
    public string Link(string pathAndQuery) => portal.For(pathAndQuery);

    public Task SendAsync(string to, string key, string language, CancellationToken cancellation, params object[] args) =>
        SendAsync(to, key, language, cancellation, args, "");

    /// <summary>The same with a closing line (a security e-mail's "this wasn't me" link, see Security.Devices.NotMeLine).</summary>
    public Task SendAsync(string to, string key, string language, CancellationToken cancellation, object[] args, string closing)
    {
        var subject = Strings.T($"mail.{key}.subject", language);
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T($"mail.{key}.body", language), args) + closing;
        return sender.SendAsync(new OutgoingMail(to, subject, text, MailText.ToHtml(text)), cancellation);
    }

    /// <summary>The unused, unexpired link token of this kind that <paramref name="token"/> names, or null (the RAO desk's links).</summary>
    public static async Task<MySign.Accounts.Domain.AccountToken?> FindLiveAsync(Marten.IQuerySession session, string? token, string kind, DateTimeOffset now,
        CancellationToken cancellation) =>
        token is { Length: > 0 and <= 100 } && await session.LoadAsync<MySign.Accounts.Domain.AccountToken>(SessionAuthenticationHandler.HashToken(token), cancellation) is { } found
        && found.Kind == kind && !found.Used && found.ExpiresAt > now ? found : null;

    /// <summary>A new single-use token: the clear value for the link, its SHA-256 for the database.</summary>
    public static (string Token, string Hash) NewToken()
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, SessionAuthenticationHandler.HashToken(token));
    }
}
