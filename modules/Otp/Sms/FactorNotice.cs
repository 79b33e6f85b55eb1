using MySign.Kernel.Localization;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using Wolverine;

namespace MySign.Otp.Sms;

/// <summary>A text to one phone number, sent by the handler below once the change it tells of has committed (it travels through the outbox).</summary>
public sealed record TextPhone(string To, string Text);

public static class TextPhoneHandler
{
    /// <summary>Retried by Wolverine when the operator is away; a crash between the send and the acknowledgement may repeat the text, never lose it.</summary>
    public static Task Handle(TextPhone message, ISmsGateway sms, CancellationToken cancellation) => sms.SendAsync(message.To, message.Text, cancellation);
}

/// <summary>
/// Telling the holder their OTP factor changed: an e-mail (Accounts, from OtpFactorChanged) and a text on the phone. Both
/// are messages in the caller's outbox, so they leave only if the change commits: a refused or failed change tells nobody.
/// </summary>
public static class FactorNotice
{
    public static async Task ModeChangedAsync(IMessageBus bus, OtpSettings settings, string what, DateTimeOffset at)
    {
        await bus.PublishAsync(new OtpFactorChanged(settings.Id, what, at, Strings.Language));
        if (settings.PhoneNumber.Length > 0) await bus.PublishAsync(new TextPhone(settings.PhoneNumber, Strings.T("otp.sms.mode_changed")));
    }
}
