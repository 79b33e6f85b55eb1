using Marten;
using MySign.Billing.Contracts;

namespace MySign.Renewal.Domain;

/// <summary>
/// The store confirmed payment: the renewal moves on to "Activate the certificate". Runs from Wolverine's durable
/// inbox, so it happens once even after a crash; the holder finds the renewal waiting at the next visit.
/// </summary>
public static class OrderPaidHandler
{
    public static async Task Handle(OrderPaid paid, IDocumentSession session, CancellationToken cancellation)
    {
        var request = await session.LoadAsync<RenewalRequest>(paid.RenewalId, cancellation);
        if (request is null || request.HolderId != paid.HolderId || request.Path != RenewalPaths.Store || request.Step != RenewalStep.Payment) return;
        request.OrderId = paid.OrderId;
        request.Step = RenewalStep.Activate;
        session.Store(request);
    }
}

/// <summary>The holder emptied the store cart: the renewal forgets that order and offers "Proceed to payment" again.</summary>
public static class RenewalOrderRemovedHandler
{
    public static async Task Handle(RenewalOrderRemoved removed, IDocumentSession session, CancellationToken cancellation)
    {
        var request = await session.LoadAsync<RenewalRequest>(removed.RenewalId, cancellation);
        if (request is null || request.HolderId != removed.HolderId || request.Step != RenewalStep.Payment || request.OrderId != removed.OrderId) return;
        request.OrderId = null;
        session.Store(request);
    }
}
