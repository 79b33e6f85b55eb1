using System.Reflection;

namespace MySign.Web.Infrastructure;

public static class Modules
{
    /// <summary>Every module assembly: Wolverine discovers their handlers and endpoints, the localiser their strings.</summary>
    public static readonly Assembly[] Assemblies =
    [
        typeof(MySign.Accounts.AccountsModule).Assembly,
        typeof(MySign.Certificates.CertificatesModule).Assembly,
        typeof(MySign.Otp.OtpModule).Assembly,
        typeof(MySign.History.HistoryModule).Assembly,
        typeof(MySign.Renewal.RenewalModule).Assembly,
        typeof(MySign.Billing.BillingModule).Assembly,
        typeof(MySign.Assistant.AssistantModule).Assembly,
    ];
}
