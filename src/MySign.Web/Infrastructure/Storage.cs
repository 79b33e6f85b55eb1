using JasperFx.Events;
using Marten;

namespace MySign.Web.Infrastructure;

/// <summary>The document store's own settings (modules add their document types in their AddX()).</summary>
public static class Storage
{
    public static void Configure(StoreOptions options)
    {
        options.DatabaseSchemaName = "mysign";
        options.Events.DatabaseSchemaName = "events";
        // Quick append: the faster event-append path, for the modules that keep event streams.
        options.Events.AppendMode = EventAppendMode.Quick;
        options.Schema.For<DataProtectionKey>().DatabaseSchemaName("host");
        options.Schema.For<DemoSeedMarker>().DatabaseSchemaName("host");
        options.Schema.For<MySign.Kernel.Operations.CommandAudit>().DatabaseSchemaName("host");
        // Trusty's knowledge base: one full-text index per language configuration (stemming, stop words).
        options.Schema.For<Assistant.FaqEntry>().DatabaseSchemaName("assistant")
            .FullTextIndex(index => { index.Name = "faq_search_en"; index.RegConfig = "english"; }, f => f.SearchText)
            .FullTextIndex(index => { index.Name = "faq_search_it"; index.RegConfig = "italian"; }, f => f.SearchText);
        options.Schema.For<Assistant.TrustyQuestion>().DatabaseSchemaName("assistant");
    }
}
