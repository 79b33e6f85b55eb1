using Marten;
using MySign.Kernel.Localization;
using MySign.Otp.Codes;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Sms;

namespace MySign.Otp.Challenges;

/// <summary>Issues a challenge: throttled, replacing the previous one for the same purpose, SMS sent at once.</summary>
public static class IssueOtpHandler
{
    public static async Task<OtpIssued> Handle(IssueOtp request, IDocumentStore store, ISmsGateway sms, OtpSecrets secrets, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
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
        {
            open.State = ChallengeState.Replaced;
            session.Store(open);
        }

        var challenge = new OtpChallenge
        {
            Id = Guid.CreateVersion7(now), HolderId = request.HolderId, Purpose = request.Purpose, Context = request.Context,
            Channel = channel, Destination = destination, CreatedAt = now, ExpiresAt = now + ChallengeRules.Lifetime, State = ChallengeState.Open,
        };
        string? code = null;
        if (channel == ReceptionMode.Passkey) challenge.Nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        if (channel == ReceptionMode.Sms)
        {
            code = OneTimeCodes.RandomDigits(ChallengeRules.SmsDigits);
            challenge.CodeHash = ChallengeRules.HashCode(secrets.Pepper, challenge.Id, code);
        }
        session.Store(challenge);
        await session.SaveChangesAsync(cancellation);
        if (code is not null)
            await sms.SendAsync(destination!, Strings.Format("otp.sms.text", code, Strings.T("otp.purpose." + request.Purpose)), cancellation);
        MySign.Kernel.Operations.Telemetry.OtpsSent.Add(1, new KeyValuePair<string, object?>("channel", channel.ToString().ToLowerInvariant()));
        return Answer(challenge.Id, channel, destination, challenge.ExpiresAt);
    }

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
}

/// <summary>
/// Verifies a code once. Challenge and settings use optimistic concurrency: of parallel attempts each is
/// decided on fresh state (a conflict re-reads and decides again), so a code is used once and the
/// attempt limit holds under a burst.
/// </summary>
public static class VerifyOtpHandler
{
    public static async Task<OtpVerified> Handle(VerifyOtp request, IDocumentStore store, OtpSecrets secrets, Passkeys.RelyingParty relyingParty, TimeProvider clock, CancellationToken cancellation)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                return await VerifyOnce(request, store, secrets, relyingParty, clock.GetUtcNow(), cancellation);
            }
            catch (JasperFx.ConcurrencyException) when (round < 100)
            {
                await Task.Delay(Random.Shared.Next(1, 5), cancellation);
            }
        }
    }

    private static async Task<OtpVerified> VerifyOnce(VerifyOtp request, IDocumentStore store, OtpSecrets secrets, Passkeys.RelyingParty relyingParty, DateTimeOffset now, CancellationToken cancellation)
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
