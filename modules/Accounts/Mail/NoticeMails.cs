using Marten;
using MySign.Kernel.Localization;

namespace MySign.Accounts.Mail;

// Security notices: what changed on the account, ending with a "this wasn't me" link of their own (AccountLinks.NotMe),
// stored by whoever decided the notice and named in its message. Sent again, the same link; once sent, nothing.

/// <summary>The password was changed (Manage your account) or set from a reset link.</summary>
public sealed record PasswordChangedMail(string HolderId, string Language, string NotMe);

public static class PasswordChangedMailHandler
{
    public static Task Handle(PasswordChangedMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, "password_changed", mail.Language, holder => [holder.FirstName], cancellation);
}

/// <summary>The sign-in settings changed: a factor after the password, sign-in with a passkey alone.</summary>
public sealed record SignInChangedMail(string HolderId, string Language, bool Factor, bool Passkey, string NotMe);

public static class SignInChangedMailHandler
{
    public static Task Handle(SignInChangedMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation)
    {
        string State(bool on) => Strings.T(on ? "mail.signin_changed.on" : "mail.signin_changed.off", mail.Language);
        return mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, "signin_changed", mail.Language, holder => [holder.FirstName, State(mail.Factor), State(mail.Passkey)],
            cancellation);
    }
}

/// <summary>A new recovery e-mail was asked for: the old address is told (the new one gets the confirmation link).</summary>
public sealed record EmailChangeNoticeMail(string HolderId, string Language, string OldEmail, string NewEmail, string NotMe);

public static class EmailChangeNoticeMailHandler
{
    public static Task Handle(EmailChangeNoticeMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, "email_change_notice", mail.Language, holder => [holder.FirstName, mail.NewEmail], cancellation,
            to: mail.OldEmail);
}

/// <summary>The recovery mobile changed (both OTPs confirmed).</summary>
public sealed record RecoveryMobileChangedMail(string HolderId, string Language, string MaskedMobile, string NotMe);

public static class RecoveryMobileChangedMailHandler
{
    public static Task Handle(RecoveryMobileChangedMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, "recovery_mobile_changed", mail.Language, holder => [holder.FirstName, mail.MaskedMobile], cancellation);
}

/// <summary>The RAO desk unblocked the signature PIN after checking the holder's identity.</summary>
public sealed record PinUnblockedMail(string HolderId, string Language, string Office, string NotMe);

public static class PinUnblockedMailHandler
{
    public static Task Handle(PinUnblockedMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, "pin_unblocked", mail.Language, holder => [holder.FirstName, mail.Office], cancellation);
}

/// <summary>The new OTP phone, registered from the RAO desk's link, now receives the codes.</summary>
public sealed record OtpResetDoneMail(string HolderId, string Language, string MaskedMobile, string NotMe);

public static class OtpResetDoneMailHandler
{
    public static Task Handle(OtpResetDoneMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, "otp_reset_done", mail.Language, holder => [holder.FirstName, mail.MaskedMobile], cancellation);
}

/// <summary>A sign-in from a browser or address not seen before.</summary>
public sealed record NewSignInMail(string HolderId, string Language, string Device, string Address, DateTimeOffset At, string NotMe);

public static class NewSignInMailHandler
{
    public static Task Handle(NewSignInMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, "new_sign_in", mail.Language,
            holder => [holder.FirstName, mail.Device, mail.Address, HolderMailer.When(mail.At, mail.Language)], cancellation);
}

/// <summary>An OTP factor changed (phone, reception mode, token, passkeys); <c>What</c> names it (mail.otp_changed.what.*).</summary>
public sealed record OtpChangedMail(string HolderId, string Language, string What, string NotMe);

public static class OtpChangedMailHandler
{
    public static Task Handle(OtpChangedMail mail, IDocumentSession session, HolderMailer mailer, CancellationToken cancellation) =>
        mailer.SendNoticeAsync(session, mail.HolderId, mail.NotMe, "otp_changed", mail.Language,
            holder => [holder.FirstName, Strings.T("mail.otp_changed.what." + mail.What, mail.Language)], cancellation);
}
