using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Kernel.Web;
using MySign.Renewal.Domain;
using MySign.Renewal.Portal;

namespace MySign.Renewal;

public static class RenewalModule
{
    public const string Schema = "renewal";

    public static IServiceCollection AddRenewal(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<RenewableCertificate>().DatabaseSchemaName(Schema);
            options.Schema.For<RenewalRequest>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true).Index(r => r.HolderId);
        });
        services.AddSingleton<IPortalBox, RenewBox>();
        return services;
    }
}
