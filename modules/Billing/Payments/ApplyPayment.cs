using System.Globalization;
using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MySign.Billing.Contracts;
using MySign.Billing.Domain;
using Wolverine;

namespace MySign.Billing.Payments;

/// <summary>A verified provider event (or a reconciled bank transfer) to apply to its order, once. Answers <see cref="PaymentApplied"/>.</summary>
/// <param name="At">When the money was taken, for a payment recorded after the fact (the demo's renewal of last year); otherwise now.</param>
public sealed record ApplyPaymentEvent(string Provider, PaymentEvent Event, DateTimeOffset? At = null);

/// <summary>What an event did: nothing (a redelivery, an unknown order), or the credit's outcome on its order.</summary>
public sealed record PaymentApplied(bool Duplicate, Guid? OrderId, CreditOutcome? Outcome)
{
    /// <summary>It paid something: a part of the order or all of it.</summary>
    public bool Counted => Outcome is CreditOutcome.Partial or CreditOutcome.Paid or CreditOutcome.Overpaid;
}

/// <summary>
/// The only path that marks an order paid. The provider's event id is inserted under a unique key in the same
/// transaction as the order's change and the outgoing OrderPaid (Wolverine's outbox): delivered twice, in parallel
/// or after a restart, it is applied once; a crash before the commit leaves nothing, after it the outbox delivers.
/// Credits accumulate (a transfer may come in parts); see <see cref="Order.Credit"/> for what is an exception.
/// </summary>
public static class ApplyPaymentEventHandler
{
    public static async Task<(PaymentApplied, OutgoingMessages)> Handle(ApplyPaymentEvent message, IDocumentSession session, Invoicing.FiscalIssuer issuer,
        TimeProvider clock, ILogger<ApplyPaymentEvent> logger, CancellationToken cancellation)
    {
        var messages = new OutgoingMessages();
        var key = $"{message.Provider}:{message.Event.Id}";
        await LockOrderAsync(session, message.Event.OrderId, cancellation);
        if (await session.LoadAsync<ProcessedPaymentEvent>(key, cancellation) is not null) return (new PaymentApplied(true, null, null), messages); // a redelivery
        var order = await session.LoadAsync<Order>(message.Event.OrderId, cancellation);
        if (order is null) return (new PaymentApplied(false, null, null), messages);
        var now = message.At ?? clock.GetUtcNow();
        session.Insert(new ProcessedPaymentEvent { Id = key, OrderId = order.Id, At = now });

        CreditOutcome? outcome = null;
        if (message.Event.Type == "payment.succeeded")
        {
            var amount = decimal.TryParse(message.Event.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var a) ? a : 0;
            var wasPaid = order.Status == OrderStatus.Paid;
            outcome = order.Credit(message.Provider, message.Event.Id, amount, message.Event.Currency.ToUpperInvariant(), now);
            if (!wasPaid && order.Status == OrderStatus.Paid)
            {
                // The invoice is issued in this transaction: paid and invoiced commit together, its number with them.
                if (order.Billing is not null) messages.Add(await issuer.InvoiceAsync(session, order, message.At, cancellation));
                else logger.LogError("Order {OrderId} was paid before its billing information was given: it has no invoice; an operator must make one", order.Id);
                if (order.PromoCode is not null) session.Patch<PromoCode>(order.PromoCode).Increment(p => p.Uses);
                messages.Add(new OrderPaid(order.Id, order.HolderId, order.RenewalId, order.Gross, now));
                logger.LogInformation("Order {OrderId} paid ({Provider} event {EventId})", order.Id, message.Provider, message.Event.Id);
            }
            if (order.Refunds().Any(r => r.Credit.EntryId == message.Event.Id))
                logger.LogWarning("Order {OrderId}: credit {EventId} of {Amount} {Currency} is an exception ({Outcome}): refund or return it",
                    order.Id, message.Event.Id, message.Event.Amount, message.Event.Currency, outcome);
        }
        else if (message.Event.Type is "payment.failed" or "payment.cancelled" && order.Status == OrderStatus.AwaitingPayment)
        {
            order.BackToCart(message.Event.Type == "payment.failed" ? "declined" : "cancelled"); // the holder may try again; nothing was charged
            logger.LogInformation("Order {OrderId}: payment {Type}", order.Id, message.Event.Type);
        }
        else
        {
            logger.LogWarning("Order {OrderId}: event {Type} ignored in status {Status}", order.Id, message.Event.Type, order.Status);
        }
        session.Store(order);
        MySign.Kernel.Operations.Telemetry.Payments.Add(1, new KeyValuePair<string, object?>("outcome", (outcome?.ToString() ?? message.Event.Type).ToLowerInvariant()));
        return (new PaymentApplied(false, order.Id, outcome), messages);
    }

    /// <summary>
    /// Events for one order are applied one after the other: the order's row stays locked until this transaction commits,
    /// so each event reads what the one before it wrote (and sees its key if it was the same event). Optimistic
    /// concurrency alone made all but one of a burst fail, and a failure is an event the provider must send again.
    /// </summary>
    private static async Task LockOrderAsync(IDocumentSession session, Guid orderId, CancellationToken cancellation)
    {
        await session.BeginTransactionAsync(cancellation);
        await session.QueryAsync<int>($"select 1 from {BillingModule.Schema}.mt_doc_order where id = ? for update", cancellation, orderId);
    }
}

/// <summary>
/// Payment events for one order enter one at a time on this node, before they take a database connection: a burst for
/// one order waits here in memory instead of filling the connection pool with transactions queued on the order's row
/// lock (which orders them across nodes). Orders share 64 lanes by hash, so memory stays fixed.
/// </summary>
public sealed class OrderLanes
{
    private readonly SemaphoreSlim[] _lanes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<T> RunAsync<T>(Guid orderId, Func<Task<T>> work, CancellationToken cancellation)
    {
        var lane = _lanes[(orderId.GetHashCode() & int.MaxValue) % _lanes.Length];
        await lane.WaitAsync(cancellation);
        try { return await work(); }
        finally { lane.Release(); }
    }
}

/// <summary>The one way the webhooks and the bank import apply an event: in its order's lane, answered once it is recorded.</summary>
public static class PaymentEvents
{
    /// <summary>
    /// Applies the event and answers what it did once it is committed. Another delivery of the same event that committed its
    /// key first makes this one a duplicate. A concurrent change of the order is thrown (<see cref="IsConflict"/>): the event
    /// was not recorded, so the caller must not acknowledge it.
    /// </summary>
    public static async Task<PaymentApplied> ApplyAsync(IMessageBus bus, OrderLanes lanes, string provider, PaymentEvent payment, CancellationToken cancellation)
    {
        try
        {
            return await lanes.RunAsync(payment.OrderId, () => bus.InvokeAsync<PaymentApplied>(new ApplyPaymentEvent(provider, payment), cancellation), cancellation);
        }
        catch (Exception e) when (AlreadyRecorded(e))
        {
            return new PaymentApplied(true, payment.OrderId, null);
        }
    }

    /// <summary>
    /// The event's key was inserted by another transaction that committed (the only document an event inserts): the event is
    /// recorded. A concurrency failure of the order alone is not that: this event was not applied.
    /// </summary>
    private static bool AlreadyRecorded(Exception e) => e switch
    {
        JasperFx.DocumentAlreadyExistsException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(AlreadyRecorded),
        _ => false,
    };

    /// <summary>The order changed under the event, which was therefore not applied: answer 503 so the sender tries again.</summary>
    public static bool IsConflict(Exception e) => e switch
    {
        JasperFx.ConcurrencyException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsConflict),
        _ => false,
    };

    public static IResult TryAgain() =>
        Results.Json(new { error = "retry" }, statusCode: StatusCodes.Status503ServiceUnavailable);
}

/// <summary>A renewal was cancelled: its order is cancelled if unpaid, or marked for refund if the payment crossed the cancellation.</summary>
public static class CancelRenewalOrderHandler
{
    public static async Task<OutgoingMessages> Handle(CancelRenewalOrder command, IDocumentSession session, Invoicing.FiscalIssuer issuer, TimeProvider clock,
        ILogger<CancelRenewalOrder> logger, CancellationToken cancellation)
    {
        var messages = new OutgoingMessages();
        var orders = await session.Query<Order>().Where(o => o.RenewalId == command.RenewalId).ToListAsync(cancellation);
        foreach (var order in orders)
        {
            var wasCancelled = order.IsCancelled;
            order.CancelForRenewal(clock.GetUtcNow());
            session.Store(order);
            if (wasCancelled) continue;
            // The sale the invoice recorded is undone and its money goes back: a credit note for the whole invoice.
            if (order.RenewalCancelledAfterPayment && await issuer.CreditNoteAsync(session, order, cancellation) is { } creditNote) messages.Add(creditNote);
            // Money that came before the cancellation is not kept: each credit is now a refund an operator makes.
            foreach (var refund in order.Refunds().Where(r => r.Kind == RefundKind.BeforeCancellation))
            {
                logger.LogWarning("Order {OrderId} cancelled with its renewal: credit {EntryId} of {Amount} {Currency} received before the cancellation is an exception: refund it",
                    order.Id, refund.Credit.EntryId, refund.Amount, refund.Credit.Currency);
                MySign.Kernel.Operations.Telemetry.Payments.Add(1, new KeyValuePair<string, object?>("outcome", "beforecancellation"));
            }
        }
        return messages;
    }
}
