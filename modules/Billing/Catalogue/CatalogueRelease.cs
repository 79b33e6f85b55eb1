using System.Text.Json;
using JasperFx.Resources;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using MySign.Billing.Domain;

namespace MySign.Billing.Catalogue;

/// <summary>The catalogue file (config/catalogue.json, shipped inside this assembly): products, prices, VAT, currency, and its version.</summary>
public sealed record CatalogueFile(int Version, string Currency, IReadOnlyList<CatalogueProduct> Products)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Billing:CatalogueFile when an operator points at another file; else the one released with this build.</summary>
    public static CatalogueFile Load(IConfiguration configuration)
    {
        var path = configuration["Billing:CatalogueFile"];
        using var stream = string.IsNullOrWhiteSpace(path)
            ? typeof(CatalogueFile).Assembly.GetManifestResourceStream("catalogue.json") ?? throw new InvalidOperationException("catalogue.json is not embedded")
            : File.OpenRead(path);
        var file = JsonSerializer.Deserialize<CatalogueFile>(stream, Json) ?? throw new InvalidOperationException("The catalogue file is empty.");
        if (file.Version < 1 || file.Currency != "EUR" || file.Products.Count == 0 || file.Products.Any(p => p.Sku.Length == 0 || p.NetPrice <= 0 || p.VatRate is < 0 or > 1))
            throw new InvalidOperationException("The catalogue file is not valid: a version ≥ 1, currency EUR, and products with a SKU, a price and a VAT rate between 0 and 1.");
        return file;
    }
}

public sealed record CatalogueProduct(string Sku, IReadOnlyDictionary<string, string> Name, decimal NetPrice, decimal VatRate);

/// <summary>Which catalogue version the database holds.</summary>
public sealed class CatalogueVersion
{
    public string Id { get; set; } = "current";
    public int Version { get; set; }
    public DateTimeOffset AppliedAt { get; set; }
}

/// <summary>
/// Applies the catalogue as release data: `resources setup` (fly.toml's release command) runs it, and so does the start
/// of a development host. Idempotent (the same version twice changes nothing); an older file never replaces a newer
/// version; a new version rewrites the products, while existing orders keep the price they were created with.
/// </summary>
public sealed class CatalogueRelease(IDocumentStore store, IConfiguration configuration, TimeProvider clock, ILogger<CatalogueRelease> logger)
    : StatefulResourceBase("Catalogue", "billing-catalogue", new Uri("mysign://billing/catalogue"), new Uri("mysign://billing/catalogue"))
{
    public override Task Setup(CancellationToken token) => ApplyAsync(token);

    public async Task<bool> ApplyAsync(CancellationToken cancellation)
    {
        var file = CatalogueFile.Load(configuration);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var session = store.LightweightSession();
        var current = await session.LoadAsync<CatalogueVersion>("current", cancellation);
        if (current is not null && current.Version >= file.Version)
        {
            if (current.Version > file.Version)
                logger.LogWarning("Catalogue version {File} is older than the applied version {Applied}: left as it is", file.Version, current.Version);
            return false;
        }
        foreach (var product in file.Products)
            session.Store(new Product
            {
                Id = product.Sku, Name = product.Name.GetValueOrDefault("en") ?? product.Name.Values.First(),
                NameIt = product.Name.GetValueOrDefault("it"), NetPrice = product.NetPrice, VatRate = product.VatRate, CatalogueVersion = file.Version,
            });
        session.Store(new CatalogueVersion { Version = file.Version, AppliedAt = clock.GetUtcNow() });
        await session.SaveChangesAsync(cancellation);
        logger.LogInformation("Catalogue version {Version} applied ({Count} products)", file.Version, file.Products.Count);
        return true;
    }
}

/// <summary>Ready when a catalogue version is applied and its renewal product is there: the store can sell.</summary>
public sealed class CatalogueReadiness(IDocumentStore store) : Kernel.Operations.IReadinessCheck
{
    public string Name => "catalogue";

    public async Task<bool> IsReadyAsync(CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<CatalogueVersion>("current", cancellation) is not null
               && await session.LoadAsync<Product>(Product.RemoteSignature3Years, cancellation) is not null;
    }
}

