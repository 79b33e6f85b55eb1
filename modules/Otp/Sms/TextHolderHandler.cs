using Marten;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;

namespace MySign.Otp.Sms;

public static class TextHolderOnSmsChannelHandler
{
    public static async Task Handle(TextHolderOnSmsChannel message, IQuerySession session, ISmsGateway sms, CancellationToken cancellation)
    {
        var settings = await session.LoadAsync<OtpSettings>(message.HolderId, cancellation);
        if (settings is not { Mode: ReceptionMode.Sms, ResetPending: false } || settings.PhoneNumber.Length == 0) return;
        await sms.SendAsync(settings.PhoneNumber, message.Text, cancellation);
    }
}
