using Marten;
using MySign.Otp.Contracts;

namespace MySign.Otp.Domain;

public static class RegisterOtpPhoneHandler
{
    public static async Task Handle(RegisterOtpPhone message, IDocumentSession session)
    {
        var settings = await session.LoadAsync<OtpSettings>(message.HolderId) ?? new OtpSettings { Id = message.HolderId };
        settings.PhoneNumber = message.PhoneNumber;
        // A phone registered after the RAO's reset is the holder's factor from now on.
        if (settings.ResetPending) (settings.ResetPending, settings.Mode) = (false, ReceptionMode.Sms);
        session.Store(settings);
    }
}
