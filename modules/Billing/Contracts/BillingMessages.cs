namespace MySign.Billing.Contracts;

/// <summary>
/// Redeems a coupon for a renewal: it must exist, be unused, not expired and be for the product. Of many
/// parallel redemptions of one code exactly one succeeds. Redeeming again for the same renewal is a no-op success.
/// </summary>
public sealed record RedeemCoupon(string Code, string HolderId, Guid RenewalId);

public sealed record CouponRedemption(bool Redeemed, string? ErrorKey);

/// <summary>A cancelled renewal gives its coupon back.</summary>
public sealed record ReleaseCoupon(string Code, Guid RenewalId);

/// <summary>Opens the store order for a renewal (the cart pre-filled with the renewal product). Answers the order id.</summary>
/// <param name="ContinuePath">The renewal's page, where the store sends the holder once paid (or after emptying the cart):
/// the store knows no other module's addresses.</param>
public sealed record OpenRenewalOrder(Guid RenewalId, string HolderId, string ContinuePath);

/// <param name="CartPath">The order's page in the store, where the renewal sends the holder to pay.</param>
public sealed record RenewalOrderOpened(Guid OrderId, string CartPath);

/// <summary>The holder emptied the cart ("Eliminates"): that order is cancelled and the renewal may open a new one.</summary>
public sealed record RenewalOrderRemoved(Guid RenewalId, Guid OrderId, string HolderId);

/// <summary>A store order was paid (confirmed by the payment provider's signed webhook or a reconciled bank transfer).</summary>
public sealed record OrderPaid(Guid OrderId, string HolderId, Guid RenewalId, decimal Gross, DateTimeOffset At);

/// <summary>
/// The holder cancelled a renewal: its store order must not take money for nothing. Unpaid, it is cancelled (a later
/// credit is refunded); paid (the payment crossed the cancellation), it is marked for refund.
/// </summary>
public sealed record CancelRenewalOrder(Guid RenewalId);

/// <summary>The Billing pages other modules may send a holder to (they hard-code none of its addresses).</summary>
public static class BillingPages
{
    /// <summary>The holder's orders, each with its invoice and where it is with SdI.</summary>
    public const string Orders = "/store/orders";
}
