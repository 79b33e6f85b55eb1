using Marten;
using MySign.Billing.Contracts;

namespace MySign.Renewal.Domain;

/// <summary>
/// What the store says about a renewal's order, decided by the renewal itself. Runs from Wolverine's durable inbox,
/// so it happens once even after a crash; the holder finds the renewal waiting at the next visit.
/// </summary>
public static class OrderFactsHandler
{
    /// <summary>The store confirmed payment: the renewal moves on to "Activate the certificate".</summary>
    public static Task Handle(OrderPaid paid, IDocumentSession session, CancellationToken cancellation) =>
        Decide(session, paid.RenewalId, r => r.Paid(paid), cancellation);

    /// <summary>The holder emptied the cart: the renewal offers "Proceed to payment" again.</summary>
    public static Task Handle(RenewalOrderRemoved removed, IDocumentSession session, CancellationToken cancellation) =>
        Decide(session, removed.RenewalId, r => r.OrderRemoved(removed), cancellation);

    private static async Task Decide(IDocumentSession session, Guid renewalId, Func<RenewalRequest, RenewalDecision> decide, CancellationToken cancellation)
    {
        var request = await session.LoadAsync<RenewalRequest>(renewalId, cancellation);
        if (request is null) return;
        var decision = decide(request);
        if (decision.Accepted && !ReferenceEquals(decision.State, request)) session.Store(decision.State);
    }
}
