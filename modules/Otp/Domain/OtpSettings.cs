using MySign.Otp.Contracts;

namespace MySign.Otp.Domain;

/// <summary>A holder's OTP factors. Id is the holder's User ID. Secrets are kept only protected (Data Protection).</summary>
public sealed class OtpSettings
{
    public string Id { get; set; } = "";
    public ReceptionMode Mode { get; set; } = ReceptionMode.Sms;
    public string PhoneNumber { get; set; } = "";
    public string? TotpSecret { get; set; }
    /// <summary>The last TOTP time step accepted: a step never verifies twice.</summary>
    public long LastTotpStep { get; set; }
    /// <summary>An authenticator app being enrolled, until its first code confirms it.</summary>
    public string? PendingTotpSecret { get; set; }
    public string? TokenSerial { get; set; }
    /// <summary>The RAO reset the factor (lost device): no code is issued until a new phone is registered.</summary>
    public bool ResetPending { get; set; }
    /// <summary>The WebAuthn user handle of the holder's passkeys: random, made with the first passkey, never the User ID.</summary>
    public byte[]? PasskeyUserHandle { get; set; }

    public string MaskedPhone => Mask(PhoneNumber);

    /// <summary>
    /// The settings a confirmed change is written to, read after its code was checked: checking an app's code records
    /// its time step on them, so a copy read before the check would lose to it (a concurrency conflict, a 500).
    /// </summary>
    public static async Task<OtpSettings> ToChangeAsync(Marten.IDocumentSession session, string holderId, CancellationToken cancellation) =>
        await session.LoadAsync<OtpSettings>(holderId, cancellation) ?? throw new InvalidOperationException("The holder has no OTP settings.");

    public static string Mask(string phone) => MySign.Kernel.Validation.MobileNumbers.Mask(phone);
}
