using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MySign.Otp.Challenges;

/// <summary>
/// Keys of the Otp module: the pepper that keys the hashes of sent codes (Otp:Pepper, required in
/// Production) and the protector that keeps TOTP secrets encrypted at rest.
/// </summary>
public sealed class OtpSecrets
{
    private readonly IDataProtector _protector;
    public byte[] Pepper { get; }

    public OtpSecrets(IConfiguration configuration, IHostEnvironment environment, IDataProtectionProvider protection)
    {
        var pepper = configuration["Otp:Pepper"];
        if (string.IsNullOrEmpty(pepper))
        {
            if (!environment.IsDevelopment()) throw new InvalidOperationException("Otp:Pepper must be configured in Production (and every environment but Development).");
            pepper = "mysign-development-pepper-not-for-production";
        }
        Pepper = System.Text.Encoding.UTF8.GetBytes(pepper);
        _protector = protection.CreateProtector("MySign.Otp.TotpSecret");
    }

    public string Protect(byte[] secret) => _protector.Protect(Convert.ToBase64String(secret));
    public byte[] Unprotect(string stored) => Convert.FromBase64String(_protector.Unprotect(stored));
}
