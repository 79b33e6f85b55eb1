using MySign.Otp.Contracts;
using Wolverine;

namespace MySign.Otp.Client;

/// <summary>
/// The requests other modules make of Otp and wait for, written once. Confirming an operation with the holder's second
/// factor is <see cref="SendOtpAsync"/> when the step opens (and for "Send new OTP"), then <see cref="CheckOtpAsync"/>
/// when the code or passkey assertion comes back. Each answer is needed in the same request (which field to draw,
/// whether to go on, where the next code goes), so each is invoked inline (ADR 0003); the step's markup is the
/// kernel's <c>confirm_step</c>. Everything else Otp is told travels as a message through the outbox.
/// </summary>
public static class OtpRequests
{
    /// <summary>Opens a challenge for <paramref name="purpose"/> and <paramref name="context"/>: an SMS is sent now, an app, token or passkey is asked on submit.</summary>
    public static Task<OtpIssued> SendOtpAsync(this IMessageBus bus, string holderId, string purpose, string context, CancellationToken cancellation,
        string? toPhone = null) =>
        bus.InvokeAsync<OtpIssued>(new IssueOtp(holderId, purpose, context, toPhone), cancellation);

    /// <summary>
    /// Checks what was typed (or the passkey assertion) against the challenge; purpose and context are the ones this step
    /// expects, so a code for anything else is refused. <paramref name="binding"/> is what a passkey must have been asked
    /// for (the hashes to sign, <see cref="VerifyOtp.BindingFor"/>); empty for every other step.
    /// </summary>
    public static Task<OtpVerified> CheckOtpAsync(this IMessageBus bus, Guid challengeId, string holderId, string purpose, string context, string? code,
        CancellationToken cancellation, string binding = "") =>
        bus.InvokeAsync<OtpVerified>(new VerifyOtp(challengeId, holderId, purpose, context, code ?? "", binding), cancellation);

    /// <summary>How the holder confirms now: a page says "Send the OTP" only where an SMS will go.</summary>
    public static async Task<ReceptionMode> OtpModeAsync(this IMessageBus bus, string holderId, CancellationToken cancellation) =>
        (await bus.OtpFactorAsync(holderId, cancellation)).Mode;

    /// <summary>The holder's factor and how many passkeys they have (a passkey alone signs in only a holder with one).</summary>
    public static Task<OtpFactor> OtpFactorAsync(this IMessageBus bus, string holderId, CancellationToken cancellation) =>
        bus.InvokeAsync<OtpFactor>(new DescribeOtpFactor(holderId), cancellation);

    /// <summary>Whether the holder confirms with a passkey (no code to send): CSC then offers OAuth instead of sendOTP.</summary>
    public static async Task<bool> ConfirmsWithPasskeyAsync(this IMessageBus bus, string holderId, CancellationToken cancellation) =>
        await bus.OtpModeAsync(holderId, cancellation) == ReceptionMode.Passkey;

    /// <summary>
    /// Files <paramref name="phone"/> as the holder's SMS destination and returns once it is filed, so the next code
    /// (activation, an operator's sign-in, the first code after a lost-phone reset) goes there.
    /// </summary>
    public static Task RegisterOtpPhoneAsync(this IMessageBus bus, string holderId, string phone, CancellationToken cancellation) =>
        bus.InvokeAsync(new RegisterOtpPhone(holderId, phone), cancellation);

    /// <summary>"Sign in with a passkey": a challenge the browser answers with any passkey it holds for the portal.</summary>
    public static Task<PasskeySignInOpened> OpenPasskeySignInAsync(this IMessageBus bus, string context, CancellationToken cancellation) =>
        bus.InvokeAsync<PasskeySignInOpened>(new OpenPasskeySignIn(context), cancellation);

    /// <summary>Whose passkey answered that challenge (null holder when the assertion is not valid).</summary>
    public static Task<PasskeyHolderIdentified> IdentifyPasskeyHolderAsync(this IMessageBus bus, Guid challengeId, string context, string? assertion,
        CancellationToken cancellation) =>
        bus.InvokeAsync<PasskeyHolderIdentified>(new IdentifyPasskeyHolder(challengeId, context, assertion ?? ""), cancellation);
}
