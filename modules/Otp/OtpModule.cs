using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MySign.Kernel.Web;
using MySign.Otp.Box;
using MySign.Otp.Challenges;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Portal;
using MySign.Otp.Sms;

namespace MySign.Otp;

public static class OtpModule
{
    public const string Schema = "otp";

    public static IServiceCollection AddOtp(this IServiceCollection services, IConfiguration configuration)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<OtpSettings>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
            options.Schema.For<OtpChallenge>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true)
                .Index(c => c.HolderId).Index(c => c.CreatedAt);
            options.Schema.For<PhoneChangeRequest>().DatabaseSchemaName(Schema);
            options.Schema.For<SandboxSms>().DatabaseSchemaName(Schema).Index(s => s.At);
            options.Schema.For<HardwareToken>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
            options.Schema.For<Passkeys.PasskeyCredential>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true).Index(p => p.HolderId);
            options.Schema.For<Passkeys.PasskeyRegistration>().DatabaseSchemaName(Schema);
            options.Schema.For<KnownCertificate>().DatabaseSchemaName(Schema);
        });
        services.AddSingleton<OtpSecrets>();
        services.AddSingleton<Passkeys.RelyingParty>();
        services.AddSingleton<Challenges.OtpChallenges>();
        var sms = configuration.GetSection("Otp:Sms");
        services.Configure<SmsOptions>(sms);
        services.AddHttpClient();
        // The real operator's adapter when configured; otherwise the sandbox, which behaves like one.
        if (string.Equals(sms["Provider"], "http", StringComparison.OrdinalIgnoreCase))
            services.AddSingleton<ISmsGateway, HttpSmsGateway>();
        else
            services.AddSingleton<ISmsGateway, SandboxSmsGateway>();
        services.AddSingleton<IDevOutboxSource, SandboxSmsOutbox>();
        services.AddSingleton<IPortalBox, OtpBox>();
        services.AddSingleton<IHolderFactsPart, OtpFactsPart>();
        return services;
    }
}
