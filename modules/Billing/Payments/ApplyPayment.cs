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

/// <summary>A verified provider event (or a reconciled bank transfer) to apply to its order, once.</summary>
public sealed record ApplyPaymentEvent(string Provider, PaymentEvent Event);

/// <summary>
/// The only path that marks an order paid. The provider's event id is inserted under a unique key in the same
/// transaction as the order's change and the outgoing OrderPaid (Wolverine's outbox): delivered twice, in parallel
/// or after a restart, it is applied once; a crash before the commit leaves nothing, after it the outbox delivers.
/// </summary>
public static class ApplyPaymentEventHandler
{
    public static readonly Weasel.Postgresql.Sequence InvoiceNumbers = Sequences.Define(BillingModule.Schema, "invoice_number");

    public static async Task<OutgoingMessages> Handle(ApplyPaymentEvent message, IDocumentSession session, NpgsqlDataSource database,
        TimeProvider clock, ILogger<ApplyPaymentEvent> logger, CancellationToken cancellation)
    {
        var messages = new OutgoingMessages();
        var key = $"{message.Provider}:{message.Event.Id}";
        if (await session.LoadAsync<ProcessedPaymentEvent>(key, cancellation) is not null) return messages; // a redelivery
        var order = await session.LoadAsync<Order>(message.Event.OrderId, cancellation);
        if (order is null) return messages;
        var now = clock.GetUtcNow();
        session.Insert(new ProcessedPaymentEvent { Id = key, OrderId = order.Id, At = now });

        var awaiting = order.Status is OrderStatus.AwaitingPayment or OrderStatus.AwaitingTransfer;
        var amount = decimal.TryParse(message.Event.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var a) ? a : -1;
        if (message.Event.Type == "payment.succeeded" && awaiting && amount == order.Gross && message.Event.Currency == "EUR")
        {
            order.Status = OrderStatus.Paid;
            order.PaidAt = now;
            var number = await Sequences.NextAsync(database, BillingModule.Schema, "invoice_number", cancellation);
            order.InvoiceNumber = $"{now.Year}/{number:D6}";
            if (order.PromoCode is not null) session.Patch<PromoCode>(order.PromoCode).Increment(p => p.Uses);
            messages.Add(new OrderPaid(order.Id, order.HolderId, order.RenewalId, order.Gross, now));
            logger.LogInformation("Order {OrderId} paid ({Provider} event {EventId})", order.Id, message.Provider, message.Event.Id);
        }
        else if (message.Event.Type is "payment.failed" or "payment.cancelled" && order.Status == OrderStatus.AwaitingPayment)
        {
            order.Status = OrderStatus.Cart; // the holder may try again; nothing was charged
            logger.LogInformation("Order {OrderId}: payment {Type}", order.Id, message.Event.Type);
        }
        else
        {
            logger.LogWarning("Order {OrderId}: event {Type} for {Amount} ignored in status {Status}", order.Id, message.Event.Type, message.Event.Amount, order.Status);
        }
        session.Store(order);
        return messages;
    }
}
