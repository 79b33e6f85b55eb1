using Marten;
using MySign.Otp.Contracts;

namespace MySign.Otp.Domain;

public static class OtpPhoneRegisteredHandler
{
    public static async Task Handle(OtpPhoneRegistered message, IDocumentSession session)
    {
        var settings = await session.LoadAsync<OtpSettings>(message.HolderId) ?? new OtpSettings { Id = message.HolderId };
        settings.PhoneNumber = message.PhoneNumber;
        session.Store(settings);
    }
}
