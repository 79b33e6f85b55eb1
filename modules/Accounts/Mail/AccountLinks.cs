using System.Security.Cryptography;
using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.DataProtection;
using MySign.Accounts.Domain;
using MySign.Accounts.Sessions;
using MySign.Kernel.Security;
using Wolverine.Marten;

namespace MySign.Accounts.Mail;

/// <summary>
/// The single-use links Accounts mails. The database holds a token's SHA-256 (its document's id) and, only until its mail
/// has left, a sealed copy of the token (data protection, keys shared by every node) from which the mail's handler writes
/// the link. Whoever decides a mail stores the token in the same transaction as the decision and names it in the mail's
/// message, so a mail handler that runs again (a lost answer from the relay, a node killed after sending) finds the same
/// token and sends the same link, or finds it spent and sends nothing. One live link per purpose and holder: a new one
/// replaces the one before.
/// </summary>
public static class AccountLinks
{
    private const string Protection = "MySign.Accounts.MailLink";

    /// <summary>A new single-use token: the clear value for the link, its SHA-256 for the database.</summary>
    public static (string Token, string Hash) NewToken()
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, SessionAuthenticationHandler.HashToken(token));
    }

    /// <summary>
    /// A new link of <paramref name="kind"/> for the holder, to be mailed (its message names <c>Id</c>); any earlier link of
    /// the same kind stops working in the same transaction.
    /// </summary>
    public static AccountToken Issue(IDocumentSession session, IDataProtectionProvider protection, string holderId, string kind, DateTimeOffset expiresAt,
        string? newEmail = null)
    {
        Replacing(holderId, kind).Execute(session);
        var issued = New(protection, holderId, kind, expiresAt, newEmail);
        session.Insert(issued);
        return issued;
    }

    /// <summary>
    /// The holder's earlier link of <paramref name="kind"/> stops working, as a new one is stored in the same transaction. Two
    /// such transactions for one holder take turns (a lock to their commit, taken first), so the later one also ends the
    /// earlier one's new link: one live link, never two that each work.
    /// </summary>
    public static IMartenOp Replacing(string holderId, string kind) => new ReplacingWrite(holderId, kind);

    private sealed class ReplacingWrite(string holderId, string kind) : IMartenOp
    {
        public void Execute(IDocumentSession session)
        {
            session.QueueOperation(new Kernel.Data.TransactionLock("accounts.links:" + holderId));
            session.DeleteWhere<AccountToken>(t => t.HolderId == holderId && t.Kind == kind);
        }
    }

    /// <summary>A new link token, not yet stored: whoever stores it also deletes the holder's earlier link of its kind (<see cref="Issue"/>).</summary>
    public static AccountToken New(IDataProtectionProvider protection, string holderId, string kind, DateTimeOffset expiresAt, string? newEmail = null)
    {
        var (token, hash) = NewToken();
        return new AccountToken
        {
            Id = hash, HolderId = holderId, Kind = kind, ExpiresAt = expiresAt, NewEmail = newEmail, SealedToken = protection.Seal(Protection, token),
        };
    }

    /// <summary>The "this wasn't me" token of one security e-mail (each mail its own link), to be named in the mail's message.</summary>
    public static string NotMe(IDocumentSession session, IDataProtectionProvider protection, string holderId, DateTimeOffset now)
    {
        var notMe = NewNotMe(protection, holderId, now);
        session.Insert(notMe);
        return notMe.Id;
    }

    /// <summary>A new "this wasn't me" token, not yet stored; its mail's message names its <c>Id</c>.</summary>
    public static Security.NotMeToken NewNotMe(IDataProtectionProvider protection, string holderId, DateTimeOffset now)
    {
        var (token, hash) = NewToken();
        return new Security.NotMeToken { Id = hash, HolderId = holderId, ExpiresAt = now + Security.Devices.NotMeLifetime, SealedToken = protection.Seal(Protection, token) };
    }

    /// <summary>The clear token of a sealed copy, for the link in the mail.</summary>
    public static string Open(IDataProtectionProvider protection, string sealedToken) => protection.Open(Protection, sealedToken);

    /// <summary>
    /// A link's middle step (what the holder chose, the code sent for it), written only while the link is unused: a step
    /// that answers after the last step spent the link (a second tab, a code slow to go out) must not bring it back, as a
    /// store of the document it read would. Wolverine's side effect, or applied to a session with <c>Execute</c>.
    /// </summary>
    public static IMartenOp PendingStep(AccountToken step) => new PendingStepWrite(step);

    private sealed class PendingStepWrite(AccountToken step) : IMartenOp
    {
        public void Execute(IDocumentSession session) => session.Patch<AccountToken>(t => t.Id == step.Id && !t.Used)
            .Set(t => t.NewMobile, step.NewMobile).Set(t => t.PendingPasswordHash, step.PendingPasswordHash).Set(t => t.ProtectedPin, step.ProtectedPin)
            .Set(t => t.ChallengeId, step.ChallengeId).Set(t => t.OtpDestination, step.OtpDestination).Set(t => t.OtpByPasskey, step.OtpByPasskey)
            .Set(t => t.OtpFactor, step.OtpFactor);
    }

    /// <summary>Spends a link first in a last step that spends no code: false when another request spent it (<see cref="Kernel.Data.SingleUse"/>).</summary>
    public static Task<bool> SpendAsync(IDocumentSession session, AccountToken link, CancellationToken cancellation) =>
        Kernel.Data.SingleUse.SpendAsync<AccountToken>(session, link.Id, cancellation);

    /// <summary>A "this wasn't me" link, spent by its deletion.</summary>
    public static Task<bool> SpendAsync(IDocumentSession session, Security.NotMeToken link, CancellationToken cancellation) =>
        Kernel.Data.SingleUse.TakeAsync<Security.NotMeToken>(session, link.Id, cancellation);

    /// <summary>The unused, unexpired link token of this kind that <paramref name="token"/> names, or null.</summary>
    public static async Task<AccountToken?> FindLiveAsync(IQuerySession session, string? token, string kind, DateTimeOffset now, CancellationToken cancellation) =>
        token is { Length: > 0 and <= 100 } && await session.LoadAsync<AccountToken>(SessionAuthenticationHandler.HashToken(token), cancellation) is { } found
        && found.Kind == kind && !found.Used && found.ExpiresAt > now ? found : null;
}
