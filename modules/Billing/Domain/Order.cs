namespace MySign.Billing.Domain;

public enum OrderStatus { Cart, AwaitingPayment, AwaitingTransfer, Paid, Declined, Cancelled }

public sealed record BillingInfo(string Type, string Name, string FiscalCode, string? VatNumber, string Address);

/// <summary>
/// A store order for one renewal. Amounts are decimals in euro, fixed when the cart changes; VAT is rounded half
/// away from zero to the cent. Versioned: a payment confirmation and a cancellation cannot both win.
/// </summary>
public sealed class Order
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public Guid RenewalId { get; set; }
    public string Sku { get; set; } = "";
    public string ProductName { get; set; } = "";
    public decimal ListPrice { get; set; }
    public decimal Discount { get; set; }
    public decimal Net { get; set; }
    public decimal VatRate { get; set; }
    public decimal Vat { get; set; }
    public decimal Gross { get; set; }
    public string? PromoCode { get; set; }
    public OrderStatus Status { get; set; }
    public BillingInfo? Billing { get; set; }
    /// <summary>The MySign Store account the order is bought with (its e-mail receives the invoice).</summary>
    public string? CustomerEmail { get; set; }
    public string? Method { get; set; }
    public string? ProviderSession { get; set; }
    public string? TransferReference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public string? InvoiceNumber { get; set; }
    /// <summary>The language the holder paid in: the confirmation and invoice use it.</summary>
    public string Language { get; set; } = "en";

    /// <summary>Sets the price from the list price and the discount: net, VAT, gross.</summary>
    public void Price(decimal listPrice, decimal vatRate, decimal discount)
    {
        ListPrice = listPrice;
        VatRate = vatRate;
        Discount = Math.Min(discount, listPrice);
        Net = ListPrice - Discount;
        Vat = Math.Round(Net * VatRate, 2, MidpointRounding.AwayFromZero);
        Gross = Net + Vat;
    }
}

/// <summary>A promotional code: a percentage or a fixed amount off the net price, within dates, up to a number of uses.</summary>
public sealed class PromoCode
{
    public string Id { get; set; } = "";
    public decimal? Percent { get; set; }
    public decimal? Amount { get; set; }
    public DateOnly ValidFrom { get; set; }
    public DateOnly ValidUntil { get; set; }
    public int MaxUses { get; set; }
    public int Uses { get; set; }

    public decimal DiscountOn(decimal net) =>
        Math.Round(Percent is { } p ? net * p / 100m : Math.Min(Amount ?? 0, net), 2, MidpointRounding.AwayFromZero);
}

/// <summary>A payment provider's event already applied: its id is the key, inserted in the same transaction as the effect.</summary>
public sealed class ProcessedPaymentEvent
{
    public string Id { get; set; } = "";
    public Guid OrderId { get; set; }
    public DateTimeOffset At { get; set; }
}
