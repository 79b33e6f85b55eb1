using Marten;
using MySign.Accounts.Domain;
using MySign.Kernel.Localization;
using MySign.Kernel.Mail;
using MySign.Accounts.Contracts;
using MySign.Otp.Contracts;

namespace MySign.Accounts.Notifications;

/// <summary>Tells the holder by e-mail that an OTP factor changed (the Otp module has told the old channel), and audits it.</summary>
public static class OtpFactorChangedHandler
{
    public static async Task Handle(OtpFactorChanged changed, IDocumentSession session, MailSender mail, MySign.Accounts.Recovery.AccountMail links,
        TimeProvider clock, CancellationToken cancellation)
    {
        session.Insert(AuditEntry.Of(changed.HolderId, "otp." + changed.What, changed.At));
        var holder = await session.LoadAsync<HolderAccount>(changed.HolderId, cancellation);
        if (holder is null || holder.Email.Length == 0) return;
        var language = changed.Language;
        var what = Strings.T("mail.otp_changed.what." + changed.What, language);
        var text = string.Format(Strings.T("mail.otp_changed.body", language), holder.FirstName, what)
                   + Security.Devices.NotMeLine(session, links, holder.Id, language, clock.GetUtcNow());
        await session.SaveChangesAsync(cancellation); // the link's token is stored before the mail can arrive
        await mail.SendAsync(new OutgoingMail(holder.Email, Strings.T("mail.otp_changed.subject", language), text,
            MailText.ToHtml(text)), cancellation);
    }
}

/// <summary>Sends another module's message to the holder's e-mail address (see MailHolder).</summary>
public static class RemindHolderHandler
{
    public static async Task<IEnumerable<object>> Handle(RemindHolder message, IQuerySession session, MailSender mail, CancellationToken cancellation)
    {
        var holder = await session.LoadAsync<HolderAccount>(message.HolderId, cancellation);
        if (holder is null || holder.RemindersOff) return [];
        var english = holder.Language == "en";
        var (subject, text) = english ? (message.SubjectEn, message.TextEn) : (message.SubjectIt, message.TextIt);
        if (holder.Email.Length > 0)
            await mail.SendAsync(new OutgoingMail(holder.Email, subject, text, MailText.ToHtml(text)), cancellation);
        // The SMS goes only if SMS is how this holder receives OTPs: Otp knows, and sends or not.
        return (english ? message.SmsEn : message.SmsIt) is { Length: > 0 } sms ? [new MySign.Otp.Contracts.TextHolderOnSmsChannel(holder.Id, sms)] : [];
    }
}

public static class MailHolderHandler
{
    public static async Task Handle(MailHolder message, IQuerySession session, MailSender mail, CancellationToken cancellation)
    {
        var holder = await session.LoadAsync<HolderAccount>(message.HolderId, cancellation);
        if (holder is null || holder.Email.Length == 0) return;
        await mail.SendAsync(new OutgoingMail(holder.Email, message.Subject, message.Text,
            MailText.ToHtml(message.Text)), cancellation);
    }
}
