using Marten;
using Microsoft.Extensions.Options;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Sessions;

namespace MySign.Accounts.Api;

/// <summary>The same checks as the login form (decoy hash, per-account lockout, audit), for the CSC API's auth/login.</summary>
public static class CheckHolderCredentialsHandler
{
    public static async Task<HolderCredentialsChecked> Handle(CheckHolderCredentials request, IDocumentSession session, SignInAttempts attempts,
        IOptions<SessionOptions> options, TimeProvider clock, CancellationToken cancellation)
    {
        var id = request.UserId.Trim().ToLowerInvariant();
        var account = id.Length is > 0 and <= 64 ? await session.LoadAsync<HolderAccount>(id, cancellation) : null;
        var now = clock.GetUtcNow();
        var outcome = await attempts.CheckAsync(id, account?.PasswordHash, request.Password, now, options.Value, cancellation);
        // The holder's "ask for the OTP or passkey after the password" holds on every door: the API's password-only login
        // is refused for them (they use OAuth, where the portal asks for the factor).
        var factor = outcome == SignInOutcome.Success && account!.FactorAtSignIn;
        if (account is not null)
            session.Insert(AuditEntry.Of(id, outcome switch
            {
                SignInOutcome.Success when factor => "api.login.factor_required", SignInOutcome.Success => "api.login.ok", SignInOutcome.Locked => "login.locked",
                _ => "api.login.failed",
            }, now));
        return new HolderCredentialsChecked(outcome == SignInOutcome.Success && !factor ? id : null, factor);
    }
}
