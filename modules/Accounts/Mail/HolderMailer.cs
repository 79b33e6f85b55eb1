using System.Globalization;
using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.DataProtection;
using MySign.Accounts.Domain;
using MySign.Kernel.Localization;
using MySign.Kernel.Mail;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;

namespace MySign.Accounts.Mail;

/// <summary>
/// Writes and sends Accounts' e-mails, from the handlers of the mail messages only (never inside a request): the text from
/// the localiser in the mail's language, an HTML part and a plain-text part, every link on a line of its own. A failed
/// delivery throws, and Wolverine tries the message again.
/// </summary>
public sealed class HolderMailer(MailSender sender, PortalUrl portal, IDataProtectionProvider protection)
{
    /// <summary>Links are built from configuration (Portal:BaseUrl), never from a request's Host header.</summary>
    public string Link(string pathAndQuery) => portal.For(pathAndQuery);

    /// <summary>
    /// The mail carrying the link of <paramref name="tokenId"/> (to <c>NewEmail</c> when the token confirms an address): sent
    /// only while the token is live and its mail has not left; then its sealed copy is forgotten.
    /// </summary>
    public async Task SendLinkAsync(IDocumentSession session, string tokenId, string kind, string language, string path,
        Func<HolderAccount, string, object[]> args, DateTimeOffset now, CancellationToken cancellation)
    {
        var token = await session.LoadAsync<AccountToken>(tokenId, cancellation);
        if (token is not { Used: false, SealedToken: { } sealedToken } || token.ExpiresAt <= now) return;
        var holder = await session.LoadAsync<HolderAccount>(token.HolderId, cancellation);
        var to = token.NewEmail ?? holder?.Email;
        if (holder is null || string.IsNullOrEmpty(to)) return;
        await SendAsync(to, holder.FirstName, kind, language, args(holder, Link(path + "?token=" + AccountLinks.Open(protection, sealedToken))), "", cancellation,
            kind == "activation" ? MailReason.Registration : MailReason.Account);
        // A patch, not the loaded document: the holder may already be using the link.
        session.Patch<AccountToken>(token.Id).Set(t => t.SealedToken, null);
    }

    /// <summary>
    /// A security notice ending with its "this wasn't me" link (<paramref name="notMeId"/>): sent only while that link's mail has
    /// not left. Without a not-me link it is simply sent (again, if its handler runs again).
    /// </summary>
    public async Task SendNoticeAsync(IDocumentSession session, string holderId, string? notMeId, string kind, string language, Func<HolderAccount, object[]> args,
        CancellationToken cancellation, string? to = null)
    {
        var holder = await session.LoadAsync<HolderAccount>(holderId, cancellation);
        to ??= holder?.Email;
        if (holder is null || string.IsNullOrEmpty(to)) return;
        if (notMeId is null)
        {
            await SendAsync(to, holder.FirstName, kind, language, args(holder), "", cancellation);
            return;
        }
        var notMe = await session.LoadAsync<Security.NotMeToken>(notMeId, cancellation);
        if (notMe?.SealedToken is not { } sealedToken) return;
        var closing = "\n\n" + string.Format(CultureInfo.InvariantCulture, Strings.T("mail.not_me", language),
            Link("/not-me?token=" + AccountLinks.Open(protection, sealedToken)));
        await SendAsync(to, holder.FirstName, kind, language, args(holder), closing, cancellation);
        session.Patch<Security.NotMeToken>(notMe.Id).Set(t => t.SealedToken, null);
    }

    /// <summary>The mail <c>mail.{kind}</c> (subject and body) to <paramref name="name"/> in <paramref name="language"/>, with <paramref name="closing"/> after the body.</summary>
    public Task SendAsync(string to, string name, string kind, string language, object[] args, string closing, CancellationToken cancellation,
        MailReason why = MailReason.Account)
    {
        var subject = Strings.T($"mail.{kind}.subject", language);
        var text = string.Format(CultureInfo.InvariantCulture, Strings.T($"mail.{kind}.body", language), args) + closing;
        return sender.SendAsync(new OutgoingMail(to, subject, text, language, name, why), cancellation);
    }

    /// <summary>A moment as the holder reads it: the portal's time zone, the language's date and time format.</summary>
    public static string When(DateTimeOffset at, string language) =>
        TimeZoneInfo.ConvertTime(at, TemplateFunctions.PortalTimeZone).ToString("g", CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB"));
}
