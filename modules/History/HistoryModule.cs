using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.History.Domain;
using MySign.History.Portal;
using MySign.Kernel.Web;

namespace MySign.History;

public static class HistoryModule
{
    public const string Schema = "history";

    public static IServiceCollection AddHistory(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<SignatureRecord>().DatabaseSchemaName(Schema)
                .Index(new System.Linq.Expressions.Expression<Func<SignatureRecord, object>>[] { r => r.HolderId, r => r.SortKey });
            options.Schema.For<SignatureCounters>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
        });
        services.AddSingleton<IPortalBox, HistoryBox>();
        services.AddSingleton<IPortalBox, SignatureCountersPart>();
        return services;
    }
}
