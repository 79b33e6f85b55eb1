using System.Reflection;

namespace MySign.Web.Infrastructure;

public static class Modules
{
    /// <summary>Every module assembly: Wolverine discovers their handlers and endpoints, the localiser their strings.</summary>
    public static readonly Assembly[] Assemblies =
    [
        typeof(Accounts.AccountsModule).Assembly,
        typeof(Certificates.CertificatesModule).Assembly,
        typeof(TrustServices.TrustServicesModule).Assembly,
        typeof(RemoteSigning.RemoteSigningModule).Assembly,
        typeof(Otp.OtpModule).Assembly,
        typeof(History.HistoryModule).Assembly,
        typeof(Renewal.RenewalModule).Assembly,
        typeof(Billing.BillingModule).Assembly,
        typeof(Assistant.AssistantModule).Assembly,
    ];
}
