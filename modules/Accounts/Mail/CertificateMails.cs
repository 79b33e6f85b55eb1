using Marten;
using Microsoft.AspNetCore.DataProtection;
using MySign.Accounts.Domain;
using MySign.Certificates.Contracts;
using MySign.Kernel.Localization;
using MySign.Otp.Contracts;

namespace MySign.Accounts.Mail;

/// <summary>
/// What happened to the holder's certificate, when and through which door, in the holder's language: an e-mail ending with
/// "this wasn't me" (unless that link was the door) and, for a holder whose OTPs come by SMS, a text (Otp knows the channel).
/// </summary>
public static class HolderCertificateChangedHandler
{
    public static async Task<IEnumerable<object>> Handle(HolderCertificateChanged changed, IDocumentSession session, IDataProtectionProvider protection,
        CancellationToken cancellation)
    {
        var holder = await session.LoadAsync<HolderAccount>(changed.HolderId, cancellation);
        if (holder is null) return [];
        var language = holder.MailLanguage;
        var notMe = changed.Door == CertificateDoor.NotMe ? null : AccountLinks.NotMe(session, protection, holder.Id, changed.At);
        var sms = string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T($"mail.{CertificateChangeMail.Kind(changed.Change)}.sms", language),
            HolderMailer.When(changed.At, language), CertificateChangeMail.DoorInWords(changed.Door, language));
        return
        [
            new CertificateChangeMail(holder.Id, language, changed.Change, changed.Door, changed.UniqueIdentifier, changed.At, notMe),
            new TextHolderOnSmsChannel(holder.Id, sms),
        ];
    }
}

/// <summary>The e-mail of a <see cref="HolderCertificateChanged"/>: mail.certificate_{change}, the door in words.</summary>
public sealed record CertificateChangeMail(string HolderId, string Language, CertificateChange Change, CertificateDoor Door, string UniqueIdentifier, DateTimeOffset At,
    string? NotMe)
{
    public static string Kind(CertificateChange change) => "certificate_" + change.ToString().ToLowerInvariant();

    /// <summary>The words for how it was done, as the sentence says it ("from the portal, confirmed with your signature PIN and an OTP").</summary>
    public static string DoorKey(CertificateDoor door) => "mail.certificate_door." + System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(door.ToString());

    public static string DoorInWords(CertificateDoor door, string language) => Strings.T(DoorKey(door), language);
}

public static class CertificateChangeMailHandler
{
    public static Task Handle(CertificateChangeMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, CertificateChangeMail.Kind(mail.Change), mail.Language,
            holder => [holder.FirstName, mail.UniqueIdentifier, HolderMailer.When(mail.At, mail.Language), CertificateChangeMail.DoorInWords(mail.Door, mail.Language)], cancellation);
}

/// <summary>The holder used "this wasn't me": every session, CSC token and SAD ended (a suspension, if asked, is told apart).</summary>
public sealed record NotMeDoneMail(string HolderId, string Language, DateTimeOffset At);

public static class NotMeDoneMailHandler
{
    public static Task Handle(NotMeDoneMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, null, "not_me_done", mail.Language, holder => [holder.FirstName, HolderMailer.When(mail.At, mail.Language)], cancellation);
}
