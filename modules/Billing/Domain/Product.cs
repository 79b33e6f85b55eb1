namespace MySign.Billing.Domain;

/// <summary>A product of the MySign Store. Id is the SKU.</summary>
public sealed class Product
{
    public const string RemoteSignature3Years = "RS-3Y";

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public decimal NetPrice { get; set; }
    public decimal VatRate { get; set; }

    /// <summary>VAT rounded half away from zero to the cent (how Italian invoices round).</summary>
    public decimal Vat => Math.Round(NetPrice * VatRate, 2, MidpointRounding.AwayFromZero);
    public decimal Gross => NetPrice + Vat;
}
