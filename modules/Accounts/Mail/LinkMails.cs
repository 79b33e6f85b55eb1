using Marten;

namespace MySign.Accounts.Mail;

// The mails that carry a single-use link. Each names the link's token (see AccountLinks), stored by whoever decided the
// mail in the same transaction as the message: sent again, the mail carries the same link; spent or replaced, nothing.

/// <summary>A holder registered at a RAO office: the User ID and the link to choose password and PIN (7 days).</summary>
public sealed record ActivationMail(string Token, string Language);

public static class ActivationMailHandler
{
    public static Task Handle(ActivationMail mail, IDocumentSession session, HolderMailer mailer, TimeProvider clock, CancellationToken cancellation) =>
        mailer.SendLinkAsync(session, mail.Token, "activation", mail.Language, "/activate", (holder, link) => [holder.FirstName, holder.Id, link, holder.Office],
            clock.GetUtcNow(), cancellation);
}

/// <summary>"I forgot my password": the link to set a new one (30 minutes), to the recovery e-mail.</summary>
public sealed record ResetLinkMail(string Token, string Language);

public static class ResetLinkMailHandler
{
    public static Task Handle(ResetLinkMail mail, IDocumentSession session, HolderMailer mailer, TimeProvider clock, CancellationToken cancellation) =>
        mailer.SendLinkAsync(session, mail.Token, "reset", mail.Language, "/reset-password", (holder, link) => [holder.FirstName, link], clock.GetUtcNow(), cancellation);
}

/// <summary>A new recovery e-mail address: the link that confirms it (24 hours), to that new address.</summary>
public sealed record ConfirmEmailMail(string Token, string Language);

public static class ConfirmEmailMailHandler
{
    public static Task Handle(ConfirmEmailMail mail, IDocumentSession session, HolderMailer mailer, TimeProvider clock, CancellationToken cancellation) =>
        mailer.SendLinkAsync(session, mail.Token, "confirm_email", mail.Language, "/account/email/confirm", (holder, link) => [holder.FirstName, link],
            clock.GetUtcNow(), cancellation);
}

/// <summary>A forgotten PIN, after the RAO desk checked the holder's identity: the link to choose the new PIN (24 hours).</summary>
public sealed record NewPinLinkMail(string Token, string Language, string Office);

public static class NewPinLinkMailHandler
{
    public static Task Handle(NewPinLinkMail mail, IDocumentSession session, HolderMailer mailer, TimeProvider clock, CancellationToken cancellation) =>
        mailer.SendLinkAsync(session, mail.Token, "new_pin", mail.Language, "/new-pin", (holder, link) => [holder.FirstName, mail.Office, link], clock.GetUtcNow(), cancellation);
}

/// <summary>A lost OTP phone, after the RAO desk checked the holder's identity: the link to register the new phone (24 hours).</summary>
public sealed record OtpResetLinkMail(string Token, string Language, string Office);

public static class OtpResetLinkMailHandler
{
    public static Task Handle(OtpResetLinkMail mail, IDocumentSession session, HolderMailer mailer, TimeProvider clock, CancellationToken cancellation) =>
        mailer.SendLinkAsync(session, mail.Token, "otp_reset", mail.Language, "/otp-reset", (holder, link) => [holder.FirstName, mail.Office, link], clock.GetUtcNow(), cancellation);
}
