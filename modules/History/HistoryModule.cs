using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.History.Contracts;
using MySign.History.Domain;
using MySign.History.Portal;
using MySign.History.Recording;
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
        services.AddSingleton<IDemoSeeder, HistoryDemoSeeder>();
        return services;
    }
}

public sealed class HistoryDemoSeeder : IDemoSeeder
{
    private static readonly string[] Documents = ["Contratto_locazione.pdf", "Offerta_2026-118.pdf", "Verbale_assemblea.pdf", "Fattura_0042.xml"];

    public IEnumerable<object> Seed(IDocumentSession session, DateTimeOffset now)
    {
        var counters = new SignatureCounters { Id = Demo.HolderUserId };
        for (var i = 0; i < 12; i++)
        {
            var at = now.AddDays(-i * 2).AddHours(-i);
            var id = new Guid($"00000000-0000-4000-8000-{i:D12}");
            var record = SignatureMadeHandler.ToRecord(new SignatureMade(id, Demo.HolderUserId, Guid.Empty, at,
                Documents[i % Documents.Length], "SHA-256", true, i % 3 == 0 ? SignatureChannel.Api : SignatureChannel.Portal));
            session.Store(record);
            counters.Count(record, now);
        }
        session.Store(counters);
        return [];
    }
}
