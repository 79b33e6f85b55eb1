using System.Globalization;
using Marten;
using Marten.Patching;
using Microsoft.Extensions.Logging;
using MySign.Billing.Contracts;
using MySign.Billing.Domain;
using MySign.Kernel.Data;
using Npgsql;
using Wolverine;

namespace MySign.Billing.Payments;

/// <summary>A verified provider event (or a reconciled bank transfer) to apply to its order, once. Answers <see cref="PaymentApplied"/>.</summary>
public sealed record ApplyPaymentEvent(string Provider, PaymentEvent Event);

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
    public static readonly Weasel.Postgresql.Sequence InvoiceNumbers = Sequences.Define(BillingModule.Schema, "invoice_number");

    public static async Task<(PaymentApplied, OutgoingMessages)> Handle(ApplyPaymentEvent message, IDocumentSession session, NpgsqlDataSource database,
        TimeProvider clock, ILogger<ApplyPaymentEvent> logger, CancellationToken cancellation)
    {
        var messages = new OutgoingMessages();
        var key = $"{message.Provider}:{message.Event.Id}";
        if (await session.LoadAsync<ProcessedPaymentEvent>(key, cancellation) is not null) return (new PaymentApplied(true, null, null), messages); // a redelivery
        var order = await session.LoadAsync<Order>(message.Event.OrderId, cancellation);
        if (order is null) return (new PaymentApplied(false, null, null), messages);
        var now = clock.GetUtcNow();
        session.Insert(new ProcessedPaymentEvent { Id = key, OrderId = order.Id, At = now });

        CreditOutcome? outcome = null;
        if (message.Event.Type == "payment.succeeded")
        {
            var amount = decimal.TryParse(message.Event.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var a) ? a : 0;
            var wasPaid = order.Status == OrderStatus.Paid;
            outcome = order.Credit(message.Provider, message.Event.Id, amount, message.Event.Currency.ToUpperInvariant(), now);
            if (!wasPaid && order.Status == OrderStatus.Paid)
            {
                var number = await Sequences.NextAsync(database, BillingModule.Schema, "invoice_number", cancellation);
                order.InvoiceNumber = $"{now.Year}/{number:D6}";
                if (order.PromoCode is not null) session.Patch<PromoCode>(order.PromoCode).Increment(p => p.Uses);
                messages.Add(new OrderPaid(order.Id, order.HolderId, order.RenewalId, order.Gross, now));
                logger.LogInformation("Order {OrderId} paid ({Provider} event {EventId})", order.Id, message.Provider, message.Event.Id);
            }
            if (order.Exceptions.Any(c => c.EntryId == message.Event.Id))
                logger.LogWarning("Order {OrderId}: credit {EventId} of {Amount} {Currency} is an exception ({Outcome}): refund or return it",
                    order.Id, message.Event.Id, message.Event.Amount, message.Event.Currency, outcome);
        }
        else if (message.Event.Type is "payment.failed" or "payment.cancelled" && order.Status == OrderStatus.AwaitingPayment)
        {
            order.Status = OrderStatus.Cart; // the holder may try again; nothing was charged
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
}

/// <summary>A renewal was cancelled: its order is cancelled if unpaid, or marked for refund if the payment crossed the cancellation.</summary>
public static class CancelRenewalOrderHandler
{
    public static async Task Handle(CancelRenewalOrder command, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var orders = await session.Query<Order>().Where(o => o.RenewalId == command.RenewalId).ToListAsync(cancellation);
        foreach (var order in orders)
        {
            order.CancelForRenewal(clock.GetUtcNow());
            session.Store(order);
        }
    }
}
