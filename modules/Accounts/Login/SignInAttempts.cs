using MySign.Accounts.Domain;
using MySign.Kernel.Security;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace MySign.Accounts.Login;

/// <summary>
/// Per-account failed sign-ins, shared by every door that takes a holder's or operator's password: the portal and
/// RAO sign-ins, the CSC API's login and every "current password" prompt. Counted under a row lock (see
/// <see cref="Lockout"/>): the lock engages exactly at the fifth failure and lasts fifteen minutes from it.
/// Unknown, not-yet-activated and locked accounts cost the same password check as a wrong password.
/// </summary>
public sealed class SignInAttempts(NpgsqlDataSource database)
{
    public static readonly Table Table = Lockout.Define(AccountsModule.Schema, "sign_in_failures");
    private readonly Lockout _lockout = new(database, AccountsModule.Schema, "sign_in_failures");

    /// <summary>
    /// The password check of every sign-in door: an unknown account (null hash) is checked against the decoy hash
    /// (same time, nothing counted); a known one under its lockout.
    /// </summary>
    public async Task<SignInOutcome> CheckAsync(string key, string? passwordHash, string password, DateTimeOffset now, Sessions.SessionOptions settings,
        CancellationToken cancellation)
    {
        bool Check() => SignIn.Decide(string.IsNullOrEmpty(passwordHash) ? null : passwordHash, password) == SignInOutcome.Success;
        var outcome = key.Length > 0 && passwordHash is not null
            ? await _lockout.AttemptAsync(key, now, settings.MaxFailedLogins, settings.Lockout, Check, cancellation)
            : await _lockout.DecoyAsync(Check, cancellation);
        Kernel.Operations.Telemetry.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
        return outcome switch { AttemptOutcome.Success => SignInOutcome.Success, AttemptOutcome.Locked => SignInOutcome.Locked, _ => SignInOutcome.Invalid };
    }

    /// <summary>A "current password" prompt (password change, recovery data): counted toward the same lockout as sign-in.</summary>
    public async Task<string?> CurrentPasswordProblemAsync(HolderAccount holder, string typed, DateTimeOffset now, Sessions.SessionOptions settings,
        CancellationToken cancellation) =>
        await CheckAsync(holder.Id, holder.PasswordHash, typed, now, settings, cancellation) switch
        {
            SignInOutcome.Success => null,
            SignInOutcome.Locked => "password.error.locked",
            _ => "password.error.current",
        };

    /// <summary>Counts a refused attempt at another door under its own key (e.g. a holder's RAO step), with the same rules.</summary>
    public Task<AttemptOutcome> AttemptAsync(string key, DateTimeOffset now, Sessions.SessionOptions settings, Func<bool> check, CancellationToken cancellation) =>
        _lockout.AttemptAsync(key, now, settings.MaxFailedLogins, settings.Lockout, check, cancellation);

    public Task ClearAsync(string holderId, CancellationToken cancellation) => _lockout.ClearAsync(holderId, cancellation);

    public Task<int> CountAsync(string holderId, CancellationToken cancellation = default) => _lockout.CountAsync(holderId, cancellation);
}
