using MySign.Otp.Codes;
using MySign.Otp.Contracts;

namespace MySign.Otp.Challenges;

public enum ChallengeState { Open, Used, Replaced, Exhausted }

/// <summary>One OTP request: bound to a holder, a purpose and a context; its code kept only as a keyed hash.</summary>
public sealed class OtpChallenge
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string Purpose { get; set; } = "";
    public string Context { get; set; } = "";
    public ReceptionMode Channel { get; set; }
    public string? Destination { get; set; }
    public string? CodeHash { get; set; }
    /// <summary>An SMS code, sealed, until its text has left (<see cref="Sms.TextOtpCodeHandler"/>); then only the hash is kept.</summary>
    public string? SealedCode { get; set; }
    /// <summary>For a passkey: fresh randomness the WebAuthn challenge commits to (with the rest of this challenge).</summary>
    public string? Nonce { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public int FailedAttempts { get; set; }
    public ChallengeState State { get; set; }
}

/// <summary>The rules of every OTP, in one place and pure.</summary>
public static class ChallengeRules
{
    public const int MaxAttempts = 5;
    public const int SmsDigits = 8;
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan ResendGap = TimeSpan.FromSeconds(30);
    /// <summary>Codes an hour that were never used: a busy honest holder uses theirs; only abuse leaves many unused.</summary>
    public const int MaxPerHour = 20;

    /// <summary>
    /// Seconds to wait before another code may be sent, or 0. Only a text waits for its delivery: an app, a token or a
    /// passkey sends nothing, so only the hourly cap holds them back (a holder may sign two documents in a row, or open a
    /// step again without being told to wait for a code that never travels). A code already used arrived: the next
    /// operation's code does not wait for it either (a second document signed, a second PIN change).
    /// </summary>
    public static int RetryAfter(IReadOnlyList<OtpChallenge> lastHour, string purpose, string context, string? destination, DateTimeOffset now,
        ReceptionMode channel = ReceptionMode.Sms)
    {
        var unused = lastHour.Where(c => c.State != ChallengeState.Used).ToList();
        if (unused.Count >= MaxPerHour)
            return Math.Max(1, (int)Math.Ceiling((unused.Min(c => c.CreatedAt) + TimeSpan.FromHours(1) - now).TotalSeconds));
        if (channel != ReceptionMode.Sms) return 0;
        var previous = unused.Where(c => c.Purpose == purpose && c.Context == context && c.Destination == destination)
            .OrderByDescending(c => c.CreatedAt).FirstOrDefault();
        if (previous is null || now - previous.CreatedAt >= ResendGap) return 0;
        return Math.Max(1, (int)Math.Ceiling((previous.CreatedAt + ResendGap - now).TotalSeconds));
    }

    /// <summary>
    /// What a verification means before the code is looked at (null: go on and check the code).
    /// A refused state never changes the challenge, except that wrong codes are counted by <see cref="Fail"/>.
    /// </summary>
    public static OtpOutcome? Precheck(OtpChallenge? challenge, VerifyOtp request, DateTimeOffset now) => challenge switch
    {
        null => OtpOutcome.Unknown,
        _ when challenge.HolderId != request.HolderId => OtpOutcome.Unknown,
        _ when challenge.Purpose != request.Purpose || challenge.Context != request.Context => OtpOutcome.WrongPurpose,
        { State: ChallengeState.Used } => OtpOutcome.AlreadyUsed,
        { State: ChallengeState.Exhausted } => OtpOutcome.TooManyAttempts,
        { State: ChallengeState.Replaced } => OtpOutcome.Expired,
        _ when now >= challenge.ExpiresAt => OtpOutcome.Expired,
        _ => null,
    };

    public static OtpVerified Fail(OtpChallenge challenge)
    {
        challenge.FailedAttempts++;
        if (challenge.FailedAttempts >= MaxAttempts) challenge.State = ChallengeState.Exhausted;
        var left = Math.Max(0, MaxAttempts - challenge.FailedAttempts);
        return new OtpVerified(left == 0 ? OtpOutcome.TooManyAttempts : OtpOutcome.Wrong, left);
    }

    public static string HashCode(byte[] pepper, Guid challengeId, string code) =>
        Convert.ToHexString(System.Security.Cryptography.HMACSHA256.HashData(pepper, System.Text.Encoding.ASCII.GetBytes($"{challengeId:N}:{code}")));

    public static bool CodeMatches(byte[] pepper, OtpChallenge challenge, string? code) =>
        code is not null && challenge.CodeHash is not null && OneTimeCodes.FixedTimeEquals(HashCode(pepper, challenge.Id, code), challenge.CodeHash);
}
