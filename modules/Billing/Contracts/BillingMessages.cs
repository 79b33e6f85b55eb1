namespace MySign.Billing.Contracts;

/// <summary>Asks the store for a product's current price (request/response, answered by Billing).</summary>
public sealed record GetProductPrice(string Sku);

/// <summary>Amounts in euro, VAT included in <see cref="Gross"/>.</summary>
public sealed record ProductPrice(string Sku, string Name, decimal Net, decimal VatRate, decimal Vat, decimal Gross);
