using System.Globalization;
using System.Security.Cryptography;
using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using MySign.Kernel.Localization;
using MySign.Kernel.Operations;
using MySign.Kernel.Security;
using MySign.Otp.Challenges;

namespace MySign.Otp.Sms;

/// <summary>The text carrying challenge <paramref name="ChallengeId"/>'s code, in <paramref name="Language"/>; the code itself stays sealed in the challenge.</summary>
public sealed record TextOtpCode(Guid ChallengeId, string Language)
{
    /// <summary>The Data Protection purpose the code is sealed under while its text waits (<see cref="OtpChallenge.SealedCode"/>).</summary>
    public const string SealedUnder = "MySign.Otp.SmsCode";
}

public static class TextOtpCodeHandler
{
    /// <summary>A code is sent only while this much of its life is left; later, the holder asks for a new one.</summary>
    public static readonly TimeSpan LeastLeft = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Sends the code while it can still be used, saying how many minutes are left, then forgets its sealed copy: a code
    /// replaced or nearly expired while the operator was away is not sent late (unless it was replaced during a try already
    /// under way). Retried by Wolverine's policy while the operator is away; a final refusal is logged, not retried, and the
    /// code forgotten all the same. As for mails, only a crash between the operator's answer and this commit sends it twice.
    /// </summary>
    public static async Task Handle(TextOtpCode message, IDocumentSession session, ISmsGateway sms, IDataProtectionProvider protection, TimeProvider clock,
        ILogger<TextOtpCode> logger, CancellationToken cancellation)
    {
        var challenge = await session.LoadAsync<OtpChallenge>(message.ChallengeId, cancellation);
        if (challenge is not { SealedCode: { } sealedCode, Destination: { } to }) return;
        var left = challenge.ExpiresAt - clock.GetUtcNow();
        var outcome = "late";
        if (challenge.State == ChallengeState.Open && left >= LeastLeft)
        {
            try
            {
                var text = string.Format(CultureInfo.InvariantCulture, Strings.T("otp.sms.text", message.Language), protection.Open(TextOtpCode.SealedUnder, sealedCode),
                    Strings.T("otp.purpose." + challenge.Purpose, message.Language), (int)Math.Round(left.TotalMinutes));
                await sms.SendAsync(to, text, cancellation);
                outcome = "sent";
            }
            catch (Exception e) when (e is SmsRefusedException or CryptographicException)
            {
                // Never sendable: the operator refused this text (a number it will not text, a key it no longer takes), or
                // the key ring no longer opens the code. The holder asks for a new code; the operator's refusal needs a look.
                logger.LogError("The code of OTP challenge {ChallengeId} was not texted: {Reason}", challenge.Id, e.Message);
                outcome = "refused";
            }
        }
        session.Patch<OtpChallenge>(challenge.Id).Set(c => c.SealedCode, null);
        Telemetry.OtpTexts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }
}
