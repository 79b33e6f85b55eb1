using Marten;
using MySign.Accounts.Domain;
using Microsoft.AspNetCore.DataProtection;
using MySign.Accounts.Mail;
using MySign.Kernel.Mail;
using MySign.Accounts.Contracts;
using MySign.Otp.Contracts;

namespace MySign.Accounts.Notifications;

/// <summary>An OTP factor changed (the Otp module has told the old channel): audited, and the holder is told by e-mail with "this wasn't me".</summary>
public static class OtpFactorChangedHandler
{
    public static OtpChangedMail Handle(OtpFactorChanged changed, IDocumentSession session, IDataProtectionProvider protection)
    {
        session.Insert(AuditEntry.Of(changed.HolderId, "otp." + changed.What, changed.At));
        return new OtpChangedMail(changed.HolderId, changed.Language, changed.What, AccountLinks.NotMe(session, protection, changed.HolderId, changed.At));
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
        var language = english ? "en" : "it";
        var (subject, text) = english ? (message.SubjectEn, message.TextEn) : (message.SubjectIt, message.TextIt);
        if (holder.Email.Length > 0)
            await mail.SendAsync(new OutgoingMail(holder.Email, subject, text, language, holder.FirstName, MailReason.Reminder), cancellation);
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
        await mail.SendAsync(new OutgoingMail(holder.Email, message.Subject, message.Text, message.Language ?? holder.MailLanguage, holder.FirstName), cancellation);
    }
}
