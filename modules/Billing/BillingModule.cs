using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MySign.Billing.Domain;
using MySign.Billing.Payments;
using MySign.Billing.Store;

namespace MySign.Billing;

public static class BillingModule
{
    public const string Schema = "billing";

    /// <summary>Files still queued (a lost send, an operator's correction) go to SdI on this schedule, once per cluster.</summary>
    public static void AddBillingSchedules(this Wolverine.WolverineOptions wolverine, IConfiguration configuration) =>
        wolverine.Schedules.ScheduleRecurring<Sdi.SendQueuedFiscalFiles>(configuration["Billing:Sdi:SweepCron"] ?? new Sdi.SdiOptions().SweepCron);

    public static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaymentOptions>().Bind(configuration.GetSection("Billing:Payments")).PostConfigure<IHostEnvironment>((options, environment) =>
        {
            // Only Development may use development defaults: Staging and any other environment are held to Production's rules.
            if (!environment.IsDevelopment()) PaymentOptions.RequireHostedProvider(options);
            PaymentOptions.BankAccount(options, !environment.IsDevelopment());
            if (options.WebhookSecret.Length > 0) return;
            if (!environment.IsDevelopment()) throw new InvalidOperationException("Billing:Payments:WebhookSecret must be configured in Production (and every environment but Development).");
            options.WebhookSecret = "mysign-development-webhook-secret";
        }).ValidateOnStart(); // checked when the host starts, not at the first payment
        services.AddOptions<Invoicing.SellerOptions>().Bind(configuration.GetSection("Billing:Seller"))
            .PostConfigure<IHostEnvironment>((seller, environment) => Invoicing.SellerOptions.Check(seller, !environment.IsDevelopment())).ValidateOnStart();
        services.AddOptions<Sdi.SdiOptions>().Bind(configuration.GetSection("Billing:Sdi"))
            .PostConfigure<IHostEnvironment>((sdi, environment) => Sdi.SdiOptions.Check(sdi, !environment.IsDevelopment())).ValidateOnStart();
        services.AddSingleton<Invoicing.FiscalIssuer>();
        // The PEC transport when configured; otherwise the sandbox SdI (refused in Production by SdiOptions.Check).
        if (string.Equals(configuration["Billing:Sdi:Channel"]?.Trim(), Sdi.SdiOptions.PecChannel, StringComparison.OrdinalIgnoreCase))
            services.AddSingleton<Sdi.ISdiChannel, Sdi.PecSdiChannel>();
        else
            services.AddSingleton<Sdi.ISdiChannel, Sdi.SandboxSdiChannel>();
        services.AddSingleton<WebhookSignature>();
        services.AddSingleton<OrderLanes>();
        services.AddSingleton<StoreSignIn>();
        // The real provider's adapter when configured; otherwise the sandbox, which behaves like one.
        if (string.Equals(configuration["Billing:Payments:Provider"], "hosted", StringComparison.OrdinalIgnoreCase))
            services.AddHttpClient<IPaymentProvider, HostedPaymentProvider>();
        else
            services.AddSingleton<IPaymentProvider, SandboxPaymentProvider>();
        services.ConfigureMarten(options =>
        {
            options.Schema.For<Product>().DatabaseSchemaName(Schema);
            options.Schema.For<Catalogue.CatalogueVersion>().DatabaseSchemaName(Schema);
            options.Schema.For<Coupon>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true).Index(c => c.BatchId);
            options.Schema.For<CouponBatch>().DatabaseSchemaName(Schema).Index(b => b.Office);
            options.Schema.For<Order>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true).Index(o => o.RenewalId).Index(o => o.TransferReference)
                .Index(o => o.HolderId).Index(o => o.InvoiceNumber);
            options.Schema.For<PromoCode>().DatabaseSchemaName(Schema);
            options.Schema.For<ProcessedPaymentEvent>().DatabaseSchemaName(Schema);
            options.Schema.For<SandboxCheckout>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
            options.Schema.For<StoreCustomer>().DatabaseSchemaName(Schema);
            options.Schema.For<StoreAccountToken>().DatabaseSchemaName(Schema);
            options.Storage.ExtendedSchemaObjects.Add(StoreSignIn.Table);
            options.Schema.For<Invoicing.SdiFileEntry>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
            options.Schema.For<Sdi.SdiAnswer>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
            options.Schema.For<Sdi.SandboxSdiFile>().DatabaseSchemaName(Schema);
            options.Storage.ExtendedSchemaObjects.Add(Invoicing.FiscalNumbers.Counters);
            options.Storage.ExtendedSchemaObjects.Add(Invoicing.FiscalNumbers.Progressives);
        });
        Kernel.Operations.ReleaseStep.Add<Catalogue.CatalogueRelease>(services, "MySign Store catalogue",
            "The MySign Store catalogue (config/catalogue.json), applied by `resources setup`.");
        services.AddSingleton<Kernel.Operations.IReadinessCheck, Catalogue.CatalogueReadiness>();
        return services;
    }
}
