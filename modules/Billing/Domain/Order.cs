namespace MySign.Billing.Domain;

public enum OrderStatus { Cart, AwaitingPayment, AwaitingTransfer, Paid, Declined, Cancelled }

/// <summary>
/// Who the invoice is made out to, as the buyer typed it: kind (private, company, foreign), name, codice fiscale, VAT number
/// (Partita IVA, or the foreign tax number), street, postal code, town, province, country, and how SdI reaches them (a
/// company's 7-character codice destinatario, or a PEC address).
/// </summary>
public sealed record BillingInfo(string Type, string Name, string FiscalCode, string? VatNumber, string Address,
    string PostCode = "", string City = "", string Province = "", string Country = "IT", string? RecipientCode = null, string? Pec = null)
{
    /// <summary>The address on one line, as a letter shows it.</summary>
    public string PostalAddress => string.Join(", ", new[] { Address, $"{PostCode} {City}".Trim() + (Province.Length > 0 ? $" ({Province})" : ""), Country == "IT" ? "" : Country }
        .Where(p => p.Trim().Length > 0));
}

/// <summary>
/// A store order for one renewal. Amounts are decimals in euro, fixed when the cart changes; VAT is rounded half
/// away from zero to the cent. Versioned: a payment confirmation and a cancellation cannot both win.
/// </summary>
public sealed class Order : MySign.Kernel.Documents.IHolderOwned
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public Guid RenewalId { get; set; }
    /// <summary>The renewal's page (from OpenRenewalOrder); orders from before it was recorded continue from the home page.</summary>
    public string? ContinuePath { get; set; }

    public string ContinueAt => MySign.Kernel.Web.LocalPath.OrHome(ContinuePath);
    public string Sku { get; set; } = "";
    public string ProductName { get; set; } = "";
    /// <summary>The product's Italian name (from the catalogue), for the Italian cart and invoice.</summary>
    public string? ProductNameIt { get; set; }

    public string ProductNameIn(string language) => language == "it" && !string.IsNullOrEmpty(ProductNameIt) ? ProductNameIt : ProductName;
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
    /// <summary>The provider's page the holder was sent to, to go back to it while the checkout is open.</summary>
    public string? ProviderUrl { get; set; }
    /// <summary>Why the last checkout ended without a payment (declined, cancelled, abandoned), until the next one starts.</summary>
    public string? PaymentProblem { get; set; }
    public string? TransferReference { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public string? InvoiceNumber { get; set; }
    /// <summary>The order's invoice (FatturaPA TD01), issued in the transaction that found it paid, with its SdI files.</summary>
    public Invoicing.FiscalDocument? Invoice { get; set; }
    /// <summary>Credit notes (TD04) for refunds of what the invoice charged.</summary>
    public List<Invoicing.FiscalDocument> CreditNotes { get; set; } = [];
    /// <summary>The language the holder paid in: the confirmation and invoice use it.</summary>
    public string Language { get; set; } = "en";
    /// <summary>Every credit received for this order (card capture, bank transfer entries), with what it did.</summary>
    public List<ReceivedCredit> Credits { get; set; } = [];
    /// <summary>Euro received toward the order's total (credits in another currency are not counted).</summary>
    public decimal Received { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>Euro received that is not owed: shown to the holder and the operator, and returned to where it came from.</summary>
    public decimal RefundDue => Refunds().Where(r => r.Credit.Currency == "EUR").Sum(r => r.Amount);

    /// <summary>The payment and the renewal's cancellation crossed: what was paid is refunded.</summary>
    public bool RenewalCancelledAfterPayment { get; set; }

    /// <summary>Cancelled before or after it was paid: nothing is owed, so every euro received goes back.</summary>
    public bool IsCancelled => Status == OrderStatus.Cancelled || RenewalCancelledAfterPayment;

    /// <summary>
    /// Each credit an operator must give back, and how much of it: all of it for a cancelled order (counted before the
    /// cancellation or arrived after it), money for an order already paid, another currency (returned as it came); the
    /// excess of an overpayment. A credit is refunded once, whatever happened to the order after it.
    /// </summary>
    public IEnumerable<Refund> Refunds() => Credits.Select(c => c.Outcome switch
    {
        CreditOutcome.Partial or CreditOutcome.Paid or CreditOutcome.Overpaid when IsCancelled => new Refund(c, RefundKind.BeforeCancellation, c.Amount),
        CreditOutcome.Overpaid => new Refund(c, RefundKind.Overpaid, c.Excess),
        CreditOutcome.WrongCurrency => new Refund(c, RefundKind.WrongCurrency, c.Amount),
        CreditOutcome.AfterPayment => new Refund(c, RefundKind.AfterPayment, c.Amount),
        CreditOutcome.AfterCancellation => new Refund(c, RefundKind.AfterCancellation, c.Amount),
        _ => null,
    }).OfType<Refund>();

    /// <summary>
    /// A credit arrives for this order. Credits in euro accumulate; the order is paid when they reach the total.
    /// Everything else is recorded as an exception, never lost: another currency (returned to the payer), more than
    /// the total (the excess is refunded), or money for an order already paid or cancelled (refunded).
    /// </summary>
    public CreditOutcome Credit(string source, string entryId, decimal amount, string currency, DateTimeOffset now)
    {
        var outcome = Status switch
        {
            _ when amount <= 0 => CreditOutcome.Invalid,
            _ when currency != "EUR" => CreditOutcome.WrongCurrency,
            OrderStatus.Paid => CreditOutcome.AfterPayment,
            OrderStatus.Cancelled => CreditOutcome.AfterCancellation,
            _ when Received + amount < Gross => CreditOutcome.Partial,
            _ when Received + amount > Gross => CreditOutcome.Overpaid,
            _ => CreditOutcome.Paid,
        };
        var excess = outcome == CreditOutcome.Overpaid ? Received + amount - Gross : 0;
        if (outcome is CreditOutcome.Partial or CreditOutcome.Paid or CreditOutcome.Overpaid)
        {
            Received += amount;
            if (outcome != CreditOutcome.Partial)
            {
                Status = OrderStatus.Paid;
                PaidAt = now;
            }
        }
        Credits.Add(new ReceivedCredit(source, entryId, amount, currency, now, outcome, excess));
        return outcome;
    }

    /// <summary>The renewal was cancelled: an unpaid order is cancelled (its transfer instructions go); a paid one stays paid and is refunded.</summary>
    public void CancelForRenewal(DateTimeOffset now)
    {
        if (Status == OrderStatus.Cancelled) return;
        if (Status == OrderStatus.Paid)
        {
            RenewalCancelledAfterPayment = true;
            return;
        }
        Status = OrderStatus.Cancelled;
        CancelledAt = now;
    }

    /// <summary>A checkout ended without taking money (declined, cancelled at the provider, or left by the holder): the cart again, billing kept.</summary>
    public void BackToCart(string? problem)
    {
        Status = OrderStatus.Cart;
        PaymentProblem = problem;
        ProviderSession = null;
        ProviderUrl = null;
    }

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

/// <summary>Why money goes back: more than the total, another currency, an order already paid, or cancelled (before or after the credit came).</summary>
public enum RefundKind { Overpaid, WrongCurrency, AfterPayment, AfterCancellation, BeforeCancellation }

public sealed record Refund(ReceivedCredit Credit, RefundKind Kind, decimal Amount);

/// <summary>What a credit did to its order. Partial and Paid count toward it; the others are exceptions for an operator.</summary>
public enum CreditOutcome { Partial, Paid, Overpaid, WrongCurrency, AfterPayment, AfterCancellation, Invalid }

public sealed record ReceivedCredit(string Source, string EntryId, decimal Amount, string Currency, DateTimeOffset At, CreditOutcome Outcome, decimal Excess = 0);

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
    /// <summary>Turned off by an operator (promo-disable): refused like an unknown code.</summary>
    public bool Disabled { get; set; }

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
