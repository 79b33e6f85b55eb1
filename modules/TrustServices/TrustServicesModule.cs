using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MySign.TrustServices.Authority;
using MySign.TrustServices.Crl;
using MySign.TrustServices.Domain;
using MySign.TrustServices.Keys;
using MySign.TrustServices.Validation;
using Wolverine;

namespace MySign.TrustServices;

/// <summary>
/// The trust services (docs/adr/0020): the CA (root offline, issuing CA in the online token), its CRLs, its OCSP responder and
/// its time-stamp authority, and what they publish. Fed by requests in its contracts; no holder secret ever reaches it.
/// </summary>
public static class TrustServicesModule
{
    public const string Schema = "trustservices";

    /// <summary>
    /// The CRL keep-alive, once per cluster whatever the number of nodes (registered by the host on Wolverine's options); the
    /// setting's name before the split (Certificates:CrlRefreshCron) is still read.
    /// </summary>
    public static void AddTrustServiceSchedules(this WolverineOptions wolverine, IConfiguration configuration) =>
        wolverine.Schedules.ScheduleRecurring<RefreshCrl>(configuration["TrustServices:CrlRefreshCron"] ?? configuration["Certificates:CrlRefreshCron"] ?? "*/30 * * * *");

    public static IServiceCollection AddTrustServices(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<IssuedCertificate>().DatabaseSchemaName(Schema);
            options.Schema.For<RevocationEntry>().DatabaseSchemaName(Schema);
            options.Schema.For<CrlDocument>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
            options.Schema.For<AuthorityKey>().DatabaseSchemaName(Schema);
            options.Schema.For<ServiceCertificate>().DatabaseSchemaName(Schema);
            options.Schema.For<CaDeployment>().DatabaseSchemaName(Schema);
            options.Storage.ExtendedSchemaObjects.Add(TimeStampAuthority.Serials);
        });
        // The CA's keys in the online token, and the ceremony that makes them (docs/adr/0015, 0020).
        services.AddSingleton<CaToken>();
        services.AddHostedService<CaTokenAtStart>();
        services.AddSingleton<ICaKeys, TokenCaKeys>();
        services.AddSingleton<CaCeremony>();
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<Crls>();
        services.AddSingleton<CrlKeepAlive>();
        services.AddSingleton<OcspResponder>();
        services.AddSingleton<TimeStampAuthority>();
        services.AddSingleton<ValidationData>();
        services.AddSingleton<Kernel.Operations.IReadinessCheck, CaReadiness>();
        services.AddHostedService<CrlAtStart>();
        return services;
    }
}
