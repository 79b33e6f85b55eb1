using Marten;
using Microsoft.Extensions.Options;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Sessions;

namespace MySign.Accounts.Rao;

/// <summary>The RAO side of "Renew with RAO credentials": right credentials, and the holder belongs to the operator's office.</summary>
public static class VerifyRaoCredentialsHandler
{
    public static async Task<RaoCredentialsVerified> Handle(VerifyRaoCredentials request, IDocumentSession session, SignInAttempts attempts,
        IOptions<SessionOptions> options, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var id = request.Username.Trim().ToLowerInvariant();
        var op = id.Length is > 0 and <= 64 ? await session.LoadAsync<RaoOperator>(id, cancellation) : null;
        var outcome = await attempts.CheckAsync(op?.OtpSubject ?? "", op?.PasswordHash, request.Password, now, options.Value, cancellation);
        if (outcome != SignInOutcome.Success || op is null) return new RaoCredentialsVerified(false, null, null, "rao.verify.error.invalid");

        var holder = await session.LoadAsync<HolderAccount>(request.HolderId, cancellation);
        if (holder is null || holder.Office != op.Office)
        {
            session.Insert(AuditEntry.ByRao(request.HolderId, "rao.renewal_refused.office", now, op.Id, op.Office));
            return new RaoCredentialsVerified(false, null, null, "rao.verify.error.office");
        }
        session.Insert(AuditEntry.ByRao(holder.Id, "rao.renewal_authorised", now, op.Id, op.Office));
        return new RaoCredentialsVerified(true, op.Id, op.Office, null);
    }
}
