using Marten;
using Microsoft.Extensions.Configuration;
using MySign.Billing.Contracts;
using MySign.Billing.Domain;
using MySign.Kernel.Localization;
using MySign.Kernel.Mail;
using Microsoft.Extensions.Options;
using MySign.Billing.Payments;

namespace MySign.Billing.Store;

/// <summary>The order confirmation e-mail to the store account, with the courtesy copy of the invoice (PDF) attached.</summary>
public static class OrderPaidMailHandler
{
    public static async Task Handle(OrderPaid paid, IQuerySession session, MailSender mail, MySign.Kernel.Web.PortalUrl portal,
        IOptions<Invoicing.SellerOptions> seller, CancellationToken cancellation)
    {
        var order = await session.LoadAsync<Order>(paid.OrderId, cancellation);
        if (order?.CustomerEmail is null || order.InvoiceNumber is null) return;
        var language = order.Language;
        var link = portal.For(order.ContinueAt);
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T("mail.order_paid.body", language),
            order.Billing?.Name, order.InvoiceNumber, Money.Format(order.Gross, language)) + "\n\n" + link + "\n\nMySign";
        await mail.SendAsync(new OutgoingMail(order.CustomerEmail, Strings.T("mail.order_paid.subject", language), text, MailText.ToHtml(text),
            [new MailAttachment(InvoicePdf.FileName(order), "application/pdf", InvoicePdf.Build(order, language, seller.Value))]), cancellation);
    }
}

/// <summary>The holder chose to pay an order by bank transfer: the instructions go to the store account too.</summary>
public sealed record TransferInstructionsMail(Guid OrderId);

/// <summary>
/// Everything a payer's bank asks for (beneficiary, IBAN, BIC, amount, the reference to quote), in the language the holder
/// paid in. Written from the order as it is when the mail goes: a re-run after a crash sends the same mail, and an order no
/// longer waiting for a transfer (paid, cancelled, paid another way) gets none.
/// </summary>
public static class TransferInstructionsMailHandler
{
    public static async Task Handle(TransferInstructionsMail message, IQuerySession session, MailSender mail, MySign.Kernel.Web.PortalUrl portal,
        IOptions<PaymentOptions> payments, CancellationToken cancellation)
    {
        var order = await session.LoadAsync<Order>(message.OrderId, cancellation);
        if (order is not { Status: OrderStatus.AwaitingTransfer, CustomerEmail: not null, TransferReference: not null }) return;
        var language = order.Language;
        var bank = payments.Value;
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T("mail.transfer.body", language),
            order.Billing?.Name, bank.Beneficiary, bank.Iban, bank.Bic, Money.Format(order.Gross, language), order.TransferReference)
            + "\n\n" + portal.For($"/store/orders/{order.Id}") + "\n\nMySign";
        await mail.SendAsync(new OutgoingMail(order.CustomerEmail, Strings.T("mail.transfer.subject", language), text, MailText.ToHtml(text)), cancellation);
    }
}
