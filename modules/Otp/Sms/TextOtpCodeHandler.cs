using System.Globalization;
using Marten;
using Marten.Patching;
using MySign.Kernel.Localization;
using MySign.Otp.Challenges;

namespace MySign.Otp.Sms;

/// <summary>The text carrying challenge <paramref name="ChallengeId"/>'s code, in <paramref name="Language"/>; the code itself stays sealed in the challenge.</summary>
public sealed record TextOtpCode(Guid ChallengeId, string Language);

public static class TextOtpCodeHandler
{
    /// <summary>
    /// Sends the code while it can still be used, then forgets its sealed copy: a code replaced or expired while the operator was
    /// away is not sent late (unless it was replaced during a try already under way). Retried by Wolverine's policy while the
    /// operator is away; as for mails, only a crash between the operator's answer and this commit sends the text twice.
    /// </summary>
    public static async Task Handle(TextOtpCode message, IDocumentSession session, ISmsGateway sms, OtpSecrets secrets, TimeProvider clock,
        CancellationToken cancellation)
    {
        var challenge = await session.LoadAsync<OtpChallenge>(message.ChallengeId, cancellation);
        if (challenge is not { SealedCode: { } sealedCode, Destination: { } to }) return;
        if (challenge.State == ChallengeState.Open && clock.GetUtcNow() < challenge.ExpiresAt)
        {
            var text = string.Format(CultureInfo.InvariantCulture, Strings.T("otp.sms.text", message.Language), secrets.OpenCode(sealedCode),
                Strings.T("otp.purpose." + challenge.Purpose, message.Language));
            await sms.SendAsync(to, text, cancellation);
        }
        session.Patch<OtpChallenge>(challenge.Id).Set(c => c.SealedCode, null);
    }
}
