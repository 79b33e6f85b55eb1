using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace MySign.Certificates.Custody;

public static class CustodyServices
{
    /// <summary>
    /// The signature activation module, the only door to a holder's key (docs/adr/0015), with what it alone keeps: the SAD
    /// grants, the calls made on each, and the activation audit.
    /// </summary>
    public static IServiceCollection AddSignatureActivation(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<CscAuthorization>().DatabaseSchemaName(CertificatesModule.Schema).UseOptimisticConcurrency(true);
            options.Storage.ExtendedSchemaObjects.Add(SadGrants.Calls);
            options.Storage.ExtendedSchemaObjects.Add(ActivationAudit.Table);
        });
        services.AddSingleton<KeySecret>();
        services.AddSingleton<PinCheck>();
        services.AddSingleton<HolderKeyRing>();
        services.AddSingleton<ActivationAudit>();
        services.AddSingleton<SignatureActivation>();
        services.AddSingleton<SadActivation>();
        return services;
    }
}
