using Marten;
using Wolverine;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Custody;
using MySign.Certificates.Domain;
using MySign.Certificates.Issuance;
using MySign.Certificates.Portal;
using MySign.Certificates.Status;
using MySign.Kernel.Web;

namespace MySign.Certificates;

public static class CertificatesModule
{
    public const string Schema = "certificates";

    /// <summary>
    /// This module's recurring work, registered by the host on Wolverine's options (a module extension may not):
    /// the sweep of ended SAD grants, once per cluster whatever the number of nodes.
    /// </summary>
    public static void AddCertificateSchedules(this WolverineOptions wolverine)
        => wolverine.Schedules.ScheduleRecurring<PurgeSadGrants>("41 * * * *");

    public static IServiceCollection AddCertificates(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            // Indexed by serial: the number the CRL, OCSP and a relying party name a certificate by.
            options.Schema.For<HolderCertificate>().DatabaseSchemaName(Schema).Index(c => c.SerialNumber);
            options.Schema.For<Pin.PinAttempts>().DatabaseSchemaName(Schema);
            options.Schema.For<CertificateOperation>().DatabaseSchemaName(Schema).Index(o => o.HolderId);
            options.Schema.For<Keys.CustodyDeployment>().DatabaseSchemaName(Schema);
            options.Schema.For<StatusChangeRequest>().DatabaseSchemaName(Schema);
            options.Schema.For<Emergency.EmergencyCode>().DatabaseSchemaName(Schema);
            options.Schema.For<Emergency.EmergencyCodeReveal>().DatabaseSchemaName(Schema);
            options.Storage.ExtendedSchemaObjects.Add(Issuer.IutNumbers);
        });
        // Key custody (docs/adr/0015, 0020): the online token opened at start for the key that wraps holder keys.
        services.AddSingleton<Keys.OnlineToken>();
        services.AddHostedService<Keys.CustodyAtStart>();
        services.AddSingleton<Issuer>();
        services.AddSignatureActivation();
        services.AddSingleton<IPortalBox, CertificateBadge>();
        services.AddSingleton<IPortalBox, CertificateBox>();
        services.AddSingleton<IPortalBox, PinBox>();
        services.AddSingleton<IPortalBox, SuspensionBox>();
        services.AddSingleton<IHolderFactsPart, Rao.CertificateFactsPart>();
        return services;
    }
}
