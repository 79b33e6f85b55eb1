namespace MySign.Billing.Domain;

/// <summary>
/// A prepaid renewal code issued to an organisation through a RAO office. Id is the code without dashes.
/// Redeemed once: redemption sets RedeemedBy under optimistic concurrency, so of many parallel tries one wins.
/// </summary>
public sealed class Coupon
{
    public string Id { get; set; } = "";
    public Guid BatchId { get; set; }
    public string Office { get; set; } = "";
    public string Organisation { get; set; } = "";
    public string Sku { get; set; } = Product.RemoteSignature3Years;
    public DateOnly ExpiresOn { get; set; }
    public string? RedeemedBy { get; set; }
    public DateTimeOffset? RedeemedAt { get; set; }
    public Guid? RenewalId { get; set; }

    /// <summary>As printed: XXXX-XXXX-XXXX.</summary>
    public string Display => string.Join('-', Enumerable.Range(0, Id.Length / 4).Select(i => Id.Substring(i * 4, 4)));
}

/// <summary>A batch of coupons: who issued it, when, for whom (the audit of the RAO action).</summary>
public sealed class CouponBatch
{
    public Guid Id { get; set; }
    public string Office { get; set; } = "";
    public string Organisation { get; set; } = "";
    public int Count { get; set; }
    public DateOnly ExpiresOn { get; set; }
    public string IssuedBy { get; set; } = "";
    public DateTimeOffset IssuedAt { get; set; }
}
