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
        options.Schema.For<Kernel.Operations.CommandAudit>().DatabaseSchemaName("host");
        options.Schema.For<RateWindow>().DatabaseSchemaName("host");
    }
}
