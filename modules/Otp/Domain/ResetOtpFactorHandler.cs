using Marten;
using MySign.Otp.Challenges;
using MySign.Otp.Contracts;

namespace MySign.Otp.Domain;

/// <summary>
/// The lost device stops at once: no phone, no app, no passkeys (the lost phone may hold one), open codes replaced;
/// IssueOtp refuses until a new phone is registered.
/// </summary>
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
        session.DeleteWhere<Passkeys.PasskeyCredential>(p => p.HolderId == command.HolderId);
        foreach (var open in await session.Query<OtpChallenge>().Where(c => c.HolderId == command.HolderId && c.State == ChallengeState.Open).ToListAsync(cancellation))
            OtpChallenges.Replace(session, open);
    }
}

/// <summary>How the holder confirms now: CSC's credentials/info needs it to tell API clients OTP or OAuth.</summary>
public static class DescribeOtpFactorHandler
{
    public static async Task<OtpFactor> Handle(DescribeOtpFactor request, IQuerySession session, CancellationToken cancellation) =>
        new((await session.LoadAsync<OtpSettings>(request.HolderId, cancellation))?.Mode ?? ReceptionMode.Sms,
            await session.Query<Passkeys.PasskeyCredential>().CountAsync(p => p.HolderId == request.HolderId, cancellation));
}
