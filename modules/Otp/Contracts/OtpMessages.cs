namespace MySign.Otp.Contracts;

/// <summary>How a holder receives one-time passwords.</summary>
public enum ReceptionMode { Sms, AuthenticatorApp, HardwareToken, Passkey }

/// <summary>
/// File <paramref name="PhoneNumber"/> as the holder's SMS destination (registration, an operator's first sign-in, a new phone
/// after the RAO's reset): a command to Otp, answered once it is filed, so the next code goes there.
/// </summary>
public sealed record RegisterOtpPhone(string HolderId, string PhoneNumber);

/// <summary>
/// Asks for a one-time password bound to a purpose (e.g. "pin.change") and a context (e.g. the certificate id):
/// a code for one purpose and context confirms nothing else. SMS holders get a text now; app and token holders
/// read their device. <paramref name="ToPhone"/> sends to another number (confirming a new phone).
/// </summary>
public sealed record IssueOtp(string HolderId, string Purpose, string Context, string? ToPhone = null);

/// <summary>
/// The answer to <see cref="IssueOtp"/>. Throttled: nothing was sent; ask again after RetryAfterSeconds. The texts are
/// written by Otp in the asker's language (the request is answered inline): <paramref name="Destination"/> for "enter
/// the OTP sent to {0}" (the masked number, or the device), <paramref name="Notice"/> ("We sent you a code via SMS to
/// …"), and when throttled <paramref name="Wait"/>, the sentence every page shows where it asked for the code (a
/// page's error slot shows it as it is, like a message key's text).
/// </summary>
public sealed record OtpIssued(Guid ChallengeId, ReceptionMode Channel, string? MaskedDestination, DateTimeOffset ExpiresAt,
    bool Throttled = false, int RetryAfterSeconds = 0, string Destination = "", string Notice = "", string? Wait = null)
{
    /// <summary>How many digits a code on this channel has (8 by SMS, 6 from an app or a token): the code field draws that many boxes.</summary>
    public static int DigitsFor(ReceptionMode channel) => channel == ReceptionMode.Sms ? 8 : 6;

    /// <summary>The factor in the words of the kernel's confirm step (<c>confirm_step { factor: … }</c>): the reception mode in lower case.</summary>
    public string Factor => Channel.ToString().ToLowerInvariant();

    /// <summary>
    /// The challenge to confirm with a passkey, when that is the holder's mode (else null): the code field becomes a
    /// passkey prompt for it (<c>otp_field … passkey</c>), and the "code" posted back is the browser's assertion.
    /// </summary>
    public string? Passkey => Channel == ReceptionMode.Passkey && ChallengeId != Guid.Empty ? ChallengeId.ToString() : null;
}

/// <summary>
/// Checks a code against a challenge. Purpose and context are the ones the caller expects. For a passkey the code is
/// the WebAuthn assertion, and its challenge must commit to this challenge, its holder, purpose and context and to
/// <paramref name="Binding"/>: what is about to be done, for signatures <see cref="BindingFor"/> of
/// the hashes to sign. An assertion made for one operation or one document confirms no other.
/// </summary>
public sealed record VerifyOtp(Guid ChallengeId, string HolderId, string Purpose, string Context, string Code, string Binding = "")
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"VerifyOtp {{ ChallengeId = {ChallengeId}, HolderId = {HolderId}, Purpose = {Purpose}, Context = {Context} }}";

    /// <summary>
    /// The binding of hashes to sign: "count:hex,hex,…" in order, lower-case hex. The browser computes the same text
    /// (app.js: the form's data-passkey-binding, or "1:" and the SHA-256 of the chosen file).
    /// </summary>
    public static string BindingFor(IReadOnlyCollection<byte[]> hashes) =>
        hashes.Count + ":" + string.Join(',', hashes.Select(h => Convert.ToHexStringLower(h)));
}

public enum OtpOutcome { Valid, Wrong, Expired, AlreadyUsed, TooManyAttempts, WrongPurpose, Unknown }

/// <summary>
/// The answer to <see cref="VerifyOtp"/>. <paramref name="Error"/> is the refusal as Otp words it, in the asker's
/// language (null when the code was right), so no other module reads Otp's strings.
/// </summary>
public sealed record OtpVerified(OtpOutcome Outcome, int AttemptsLeft, string? Error = null)
{
    public bool IsValid => Outcome == OtpOutcome.Valid;
    /// <summary>Otp's message key for a refusal (otp.error.*), the same on every page.</summary>
    public string ErrorKey => "otp.error." + Outcome.ToString().ToLowerInvariant();
    /// <summary>What a page shows for a refusal: Otp's sentence, or its key when the answer was made without one (unit tests).</summary>
    public string Refusal => Error ?? ErrorKey;
}

/// <summary>A holder's OTP factor changed (phone, reception mode, token). Accounts tells the holder by e-mail.</summary>
public sealed record OtpFactorChanged(string HolderId, string What, DateTimeOffset At, string Language);

/// <summary>
/// The holder lost the OTP device and the RAO checked their identity: the current factor stops at once (open codes
/// included) and no OTP is issued until a new phone is registered (RegisterOtpPhone).
/// </summary>
public sealed record ResetOtpFactor(string HolderId);

/// <summary>
/// A short text for a holder who receives OTPs by SMS (a reminder, already in their language): Otp knows the channel and
/// the number, and sends nothing to holders of an app or a token, or while their phone is being reset.
/// </summary>
public sealed record TextHolderOnSmsChannel(string HolderId, string Text);

/// <summary>
/// Asks how a holder confirms operations now (CSC's credentials/info tells API clients whether OTP or OAuth) and how many
/// passkeys they have (the sign-in settings offer a passkey alone only to a holder with one).
/// </summary>
public sealed record DescribeOtpFactor(string HolderId);

public sealed record OtpFactor(ReceptionMode Mode, int Passkeys = 0);

/// <summary>
/// Opens a challenge for signing in with a passkey alone: no holder yet (the browser offers the passkeys it holds for the
/// portal), bound to <paramref name="Context"/>. Answered with the challenge id for the passkey field.
/// </summary>
public sealed record OpenPasskeySignIn(string Context);

public sealed record PasskeySignInOpened(Guid ChallengeId);

/// <summary>Whose passkey made this assertion for that sign-in challenge: the holder, or null (refused, counted as a wrong code).</summary>
public sealed record IdentifyPasskeyHolder(Guid ChallengeId, string Context, string Assertion);

public sealed record PasskeyHolderIdentified(string? HolderId);
