using Marten;
using Microsoft.Extensions.Options;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Sessions;
using MySign.Kernel.Security;

namespace MySign.Accounts.Rao;

/// <summary>
/// The RAO side of "Renew with RAO credentials": right credentials of an operator of the holder's own office. The
/// step is typed into the holder's browser, so it must be neither a password oracle nor a lock-out weapon: an
/// operator of another office is checked like an unknown name (the decoy hash, the same answer, the same time),
/// and failures are counted against the holder's renewal door, never against the operator's console sign-in.
/// </summary>
public static class VerifyRaoCredentialsHandler
{
    public static async Task<RaoCredentialsVerified> Handle(VerifyRaoCredentials request, IDocumentSession session, SignInAttempts attempts,
        IOptions<SessionOptions> options, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var id = request.Username.Trim().ToLowerInvariant();
        var op = id.Length is > 0 and <= 64 ? await session.LoadAsync<RaoOperator>(id, cancellation) : null;
        var holder = await session.LoadAsync<HolderAccount>(request.HolderId, cancellation);
        var ofTheOffice = op is { Disabled: false } && holder is not null && op.Office == holder.Office ? op : null;
        var outcome = await attempts.AttemptAsync(DoorKey(request.HolderId), now, options.Value,
            () => SignIn.Decide(ofTheOffice?.PasswordHash, request.Password) == SignInOutcome.Success, cancellation);
        if (outcome != AttemptOutcome.Success || ofTheOffice is null)
        {
            session.Insert(AuditEntry.Of(request.HolderId, "rao.renewal_refused", now));
            return new RaoCredentialsVerified(false, null, null, outcome == AttemptOutcome.Locked ? "rao.verify.error.locked" : "rao.verify.error.invalid");
        }
        session.Insert(AuditEntry.ByRao(holder!.Id, "rao.renewal_authorised", now, ofTheOffice.Id, ofTheOffice.Office));
        return new RaoCredentialsVerified(true, ofTheOffice.Id, ofTheOffice.Office, null);
    }

    /// <summary>The holder's own RAO step: five failures lock it for fifteen minutes.</summary>
    public static string DoorKey(string holderId) => "rao-step:" + holderId;
}
