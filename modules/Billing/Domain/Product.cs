namespace MySign.Billing.Domain;

/// <summary>A product of the MySign Store. Id is the SKU.</summary>
public sealed class Product
{
    public const string RemoteSignature3Years = "RS-3Y";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The name on Italian pages and invoices, when the catalogue gives one.</summary>
    public string? NameIt { get; set; }
    /// <summary>The catalogue release this price comes from.</summary>
    public int CatalogueVersion { get; set; }
    public decimal NetPrice { get; set; }
    public decimal VatRate { get; set; }

    /// <summary>VAT rounded half away from zero to the cent (how Italian invoices round).</summary>
    public decimal Vat => Math.Round(NetPrice * VatRate, 2, MidpointRounding.AwayFromZero);
    public decimal Gross => NetPrice + Vat;
}
