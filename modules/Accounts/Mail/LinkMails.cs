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
