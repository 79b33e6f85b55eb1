using Marten;
using MySign.Billing.Contracts;
using MySign.Billing.Domain;

namespace MySign.Billing.Coupons;

public static class CouponRedemptionHandler
{
    /// <summary>Codes as people type them: any case, with or without dashes and spaces.</summary>
    public static string Normalise(string typed) =>
        new(typed.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    public static async Task<CouponRedemption> Handle(RedeemCoupon request, IDocumentStore store, TimeProvider clock, CancellationToken cancellation)
    {
        var code = Normalise(request.Code);
        if (code.Length != 12) return new CouponRedemption(false, "coupon.error.unknown");
        // Its own session: the optimistic-concurrency check decides between parallel redemptions of one code.
        await using var session = store.LightweightSession();
        var coupon = await session.LoadAsync<Coupon>(code, cancellation);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (coupon is null) return new CouponRedemption(false, "coupon.error.unknown");
        if (coupon.RedeemedBy is not null)
            return coupon.RenewalId == request.RenewalId ? new CouponRedemption(true, null) : new CouponRedemption(false, "coupon.error.used");
        if (coupon.ExpiresOn < today) return new CouponRedemption(false, "coupon.error.expired");
        if (coupon.Sku != Product.RemoteSignature3Years) return new CouponRedemption(false, "coupon.error.product");
        coupon.RedeemedBy = request.HolderId;
        coupon.RedeemedAt = clock.GetUtcNow();
        coupon.RenewalId = request.RenewalId;
        session.Store(coupon);
        try
        {
            await session.SaveChangesAsync(cancellation);
            return new CouponRedemption(true, null);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return new CouponRedemption(false, "coupon.error.used");
        }
    }

    public static async Task Handle(ReleaseCoupon request, IDocumentSession session, CancellationToken cancellation)
    {
        var coupon = await session.LoadAsync<Coupon>(Normalise(request.Code), cancellation);
        if (coupon is null || coupon.RenewalId != request.RenewalId) return;
        coupon.RedeemedBy = null;
        coupon.RedeemedAt = null;
        coupon.RenewalId = null;
        session.Store(coupon);
    }
}
