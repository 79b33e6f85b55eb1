using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.DataProtection;
using MySign.Kernel.Data;
using MySign.Kernel.Localization;
using MySign.Kernel.Security;
using MySign.Otp.Codes;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Sms;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace MySign.Otp.Challenges;

/// <summary>Other modules ask for a challenge with <see cref="IssueOtp"/>; Otp's own steps call <see cref="OtpChallenges"/> directly.</summary>
public static class IssueOtpHandler
{
    public static Task<OtpIssued> Handle(IssueOtp request, OtpChallenges challenges, CancellationToken cancellation) =>
        challenges.IssueAsync(request, cancellation);
}

/// <summary>Other modules have a code checked with <see cref="VerifyOtp"/>; Otp's own steps call <see cref="OtpChallenges"/> directly.</summary>
public static class VerifyOtpHandler
{
    public static Task<OtpVerified> Handle(VerifyOtp request, OtpChallenges challenges, CancellationToken cancellation) =>
        challenges.VerifyAsync(request, cancellation);
}

/// <summary>
/// Issuing and checking challenges, written once. The handlers above answer other modules' requests with it; Otp's own
/// steps (the OTP box, passkeys, the phone change) call it in process, since a module does not message itself.
/// </summary>
public sealed class OtpChallenges(IDocumentStore store, OutboxedSessionFactory outboxed, IWolverineRuntime runtime, OtpSecrets secrets,
    IDataProtectionProvider protection, Passkeys.RelyingParty relyingParty, TimeProvider clock)
{
    /// <summary>The answer with its texts in the asker's language (Otp's own strings, so no other module reads them).</summary>
    public static OtpIssued Answer(Guid challengeId, ReceptionMode channel, string? phone, DateTimeOffset expiresAt, int retryAfterSeconds = 0)
    {
        var masked = phone is null ? null : OtpSettings.Mask(phone);
        var mode = channel.ToString().ToLowerInvariant();
        return new OtpIssued(challengeId, channel, masked, expiresAt, retryAfterSeconds > 0, retryAfterSeconds,
            Destination: channel == ReceptionMode.Sms ? masked ?? "" : Strings.T("otp.mode." + mode),
            Notice: Strings.Format("otp.sent." + mode, masked ?? ""),
            Wait: retryAfterSeconds > 0 ? Strings.Format("otp.error.throttled", retryAfterSeconds) : null);
    }

    /// <summary>
    /// Issues a challenge: throttled, replacing the previous one for the same purpose. An SMS code leaves through the
    /// durable outbox, committed with its challenge: an operator away delays the text, it never loses it or fails the page.
    /// </summary>
    public async Task<OtpIssued> IssueAsync(IssueOtp request, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var outbox = new MessageContext(runtime);
        await using var session = outboxed.OpenSession(outbox);
        // One issue at a time per holder, decided on what the one before committed: parallel "Send new OTP" clicks get one
        // code and the 30 s wait, never several live codes and texts (the resend gap and the hourly cap hold under a burst).
        await session.BeginTransactionAsync(cancellation);
        await using (var serial = Sql.Command(session.Connection!, null, "select pg_advisory_xact_lock(hashtext($1))", "otp.issue:" + request.HolderId))
            await serial.ExecuteNonQueryAsync(cancellation);
        var settings = await session.LoadAsync<OtpSettings>(request.HolderId, cancellation)
                       ?? throw new InvalidOperationException("The holder has no OTP settings.");
        if (settings.ResetPending && request.ToPhone is null)
            return new OtpIssued(Guid.Empty, ReceptionMode.Sms, null, now, Throttled: true, RetryAfterSeconds: 3600, Wait: Strings.T("otp.reset_pending"));
        var channel = request.ToPhone is not null ? ReceptionMode.Sms : settings.Mode;
        var destination = channel == ReceptionMode.Sms ? request.ToPhone ?? settings.PhoneNumber : null;

        var since = now - TimeSpan.FromHours(1);
        var lastHour = await session.Query<OtpChallenge>().Where(c => c.HolderId == request.HolderId && c.CreatedAt > since).ToListAsync(cancellation);
        var wait = ChallengeRules.RetryAfter(lastHour, request.Purpose, request.Context, destination, now, channel);
        if (wait > 0) return Answer(Guid.Empty, channel, destination, now, wait);

        // "Send new OTP" replaces the previous code for the same purpose.
        foreach (var open in lastHour.Where(c => c.State == ChallengeState.Open && c.Purpose == request.Purpose && c.Context == request.Context))
            Replace(session, open);

        var challenge = new OtpChallenge
        {
            Id = Guid.CreateVersion7(now), HolderId = request.HolderId, Purpose = request.Purpose, Context = request.Context,
            Channel = channel, Destination = destination, CreatedAt = now, ExpiresAt = now + ChallengeRules.Lifetime, State = ChallengeState.Open,
        };
        if (channel == ReceptionMode.Passkey) challenge.Nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        if (channel == ReceptionMode.Sms)
        {
            var code = OneTimeCodes.RandomDigits(ChallengeRules.SmsDigits);
            challenge.CodeHash = ChallengeRules.HashCode(secrets.Pepper, challenge.Id, code);
            challenge.SealedCode = protection.Seal(TextOtpCode.SealedUnder, code);
            await outbox.PublishAsync(new TextOtpCode(challenge.Id, Strings.Language));
        }
        session.Store(challenge);
        await session.SaveChangesAsync(cancellation);
        Kernel.Operations.Telemetry.OtpsSent.Add(1, new KeyValuePair<string, object?>("channel", channel.ToString().ToLowerInvariant()));
        return Answer(challenge.Id, channel, destination, challenge.ExpiresAt);
    }

    /// <summary>
    /// Marks a code replaced, so it confirms nothing any more, if it is still open when this commits (a code used meanwhile
    /// stays used). A patch, not the document read: the code's text may be leaving at this moment (its handler patches the
    /// challenge too), and a verification racing this one decides again on the fresh state.
    /// </summary>
    public static void Replace(IDocumentSession session, OtpChallenge open) =>
        session.Patch<OtpChallenge>(c => c.Id == open.Id && c.State == ChallengeState.Open).Set(c => c.State, ChallengeState.Replaced);

    /// <summary>
    /// Verifies a code once. Challenge and settings use optimistic concurrency: of parallel attempts each is
    /// decided on fresh state (a conflict re-reads and decides again), so a code is used once and the
    /// attempt limit holds under a burst.
    /// </summary>
    public async Task<OtpVerified> VerifyAsync(VerifyOtp request, CancellationToken cancellation)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                var verified = await VerifyOnce(request, clock.GetUtcNow(), cancellation);
                return verified.IsValid ? verified : verified with { Error = Strings.T(verified.ErrorKey) };
            }
            catch (JasperFx.ConcurrencyException) when (round < 100)
            {
                await Task.Delay(Random.Shared.Next(1, 5), cancellation);
            }
        }
    }

    private async Task<OtpVerified> VerifyOnce(VerifyOtp request, DateTimeOffset now, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var challenge = await session.LoadAsync<OtpChallenge>(request.ChallengeId, cancellation);
        if (ChallengeRules.Precheck(challenge, request, now) is { } refused)
            return new OtpVerified(refused, challenge is null ? 0 : Math.Max(0, ChallengeRules.MaxAttempts - challenge.FailedAttempts));

        var code = OneTimeCodes.Normalise(request.Code);
        bool matches;
        if (challenge!.Channel == ReceptionMode.Passkey)
        {
            matches = await Passkeys.PasskeyAssertions.VerifyAsync(session, relyingParty, challenge, request.Code, request.Binding, now, cancellation);
        }
        else if (challenge.Channel == ReceptionMode.Sms)
        {
            matches = ChallengeRules.CodeMatches(secrets.Pepper, challenge, code);
        }
        else if (challenge.Channel == ReceptionMode.AuthenticatorApp)
        {
            var settings = await session.LoadAsync<OtpSettings>(request.HolderId, cancellation);
            var step = code is { Length: 6 } && settings?.TotpSecret is { } secret
                ? OneTimeCodes.MatchTotp(secrets.Unprotect(secret), code, now, settings.LastTotpStep) : null;
            matches = step is not null;
            if (matches)
            {
                settings!.LastTotpStep = step!.Value;
                session.Store(settings);
            }
        }
        else
        {
            var settings = await session.LoadAsync<OtpSettings>(request.HolderId, cancellation);
            var token = settings?.TokenSerial is { } serial ? await session.LoadAsync<HardwareToken>(serial, cancellation) : null;
            var step = code is { Length: 6 } && token is not null && token.AssignedTo == request.HolderId
                ? OneTimeCodes.MatchTotp(secrets.Unprotect(token.Seed), code, now, token.LastStep) : null;
            matches = step is not null;
            if (matches)
            {
                token!.LastStep = step!.Value;
                session.Store(token);
            }
        }

        OtpVerified result;
        if (matches)
        {
            challenge.State = ChallengeState.Used;
            result = new OtpVerified(OtpOutcome.Valid, ChallengeRules.MaxAttempts - challenge.FailedAttempts);
        }
        else
        {
            result = ChallengeRules.Fail(challenge);
        }
        session.Store(challenge);
        await session.SaveChangesAsync(cancellation);
        return result;
    }
}
