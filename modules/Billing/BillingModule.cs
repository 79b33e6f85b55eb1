using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MySign.Billing.Domain;
using MySign.Billing.Payments;
using MySign.Billing.Store;
using MySign.Kernel.Web;

namespace MySign.Billing;

public static class BillingModule
{
    public const string Schema = "billing";

    public static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PaymentOptions>().Bind(configuration.GetSection("Billing:Payments")).PostConfigure<IHostEnvironment>((options, environment) =>
        {
            if (environment.IsProduction()) PaymentOptions.RequireHostedProvider(options);
            PaymentOptions.BankAccount(options, environment.IsProduction());
            if (options.WebhookSecret.Length > 0) return;
            if (environment.IsProduction()) throw new InvalidOperationException("Billing:Payments:WebhookSecret must be configured in Production.");
            options.WebhookSecret = "mysign-development-webhook-secret";
        }).ValidateOnStart(); // checked when the host starts, not at the first payment
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
            options.Schema.For<Order>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true).Index(o => o.RenewalId).Index(o => o.TransferReference);
            options.Schema.For<PromoCode>().DatabaseSchemaName(Schema);
            options.Schema.For<ProcessedPaymentEvent>().DatabaseSchemaName(Schema);
            options.Schema.For<SandboxCheckout>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
            options.Schema.For<StoreCustomer>().DatabaseSchemaName(Schema);
            options.Schema.For<StoreAccountToken>().DatabaseSchemaName(Schema);
            options.Storage.ExtendedSchemaObjects.Add(StoreSignIn.Table);
            options.Storage.ExtendedSchemaObjects.Add(ApplyPaymentEventHandler.InvoiceNumbers);
        });
        services.AddSingleton<Catalogue.CatalogueRelease>();
        services.AddSingleton<MySign.Kernel.Operations.IReadinessCheck, Catalogue.CatalogueReadiness>();
        services.AddSingleton<JasperFx.CommandLine.Descriptions.ISystemPart, Catalogue.CatalogueSystemPart>();
        return services;
    }
}
