using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Billing.Domain;
using MySign.Kernel.Web;

namespace MySign.Billing;

public static class BillingModule
{
    public const string Schema = "billing";

    public static IServiceCollection AddBilling(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<Product>().DatabaseSchemaName(Schema);
            options.Schema.For<Coupon>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true).Index(c => c.BatchId);
            options.Schema.For<CouponBatch>().DatabaseSchemaName(Schema).Index(b => b.Office);
        });
        services.AddSingleton<IDemoSeeder, BillingCatalogueSeeder>();
        return services;
    }
}

public sealed class BillingCatalogueSeeder : IDemoSeeder
{
    public IEnumerable<object> Seed(IDocumentSession session, DateTimeOffset now)
    {
        session.Store(new Product
        {
            Id = Product.RemoteSignature3Years, Name = "Remote Signature: Validity 3 years - MYSIGN", NetPrice = 30.00m, VatRate = 0.22m,
        });
        return [];
    }
}
