using Marten;
using MySign.Otp.Challenges;
using MySign.Otp.Contracts;

namespace MySign.Otp.Domain;

/// <summary>The lost device stops at once: no phone, no app, open codes replaced; IssueOtp refuses until a new phone is registered.</summary>
public static class ResetOtpFactorHandler
{
    public static async Task Handle(ResetOtpFactor command, IDocumentSession session, CancellationToken cancellation)
    {
        var settings = await session.LoadAsync<OtpSettings>(command.HolderId, cancellation) ?? new OtpSettings { Id = command.HolderId };
        settings.ResetPending = true;
        settings.Mode = ReceptionMode.Sms;
        settings.PhoneNumber = "";
        settings.TotpSecret = null;
        settings.PendingTotpSecret = null;
        settings.TokenSerial = null;
        session.Store(settings);
        foreach (var open in await session.Query<OtpChallenge>().Where(c => c.HolderId == command.HolderId && c.State == ChallengeState.Open).ToListAsync(cancellation))
        {
            open.State = ChallengeState.Replaced;
            session.Store(open);
        }
    }
}
