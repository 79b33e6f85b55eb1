using Marten;
using Microsoft.Extensions.Configuration;
using MySign.Billing.Contracts;
using MySign.Billing.Domain;
using MySign.Kernel.Localization;
using MySign.Kernel.Mail;

namespace MySign.Billing.Store;

/// <summary>The order confirmation e-mail to the store account, with the invoice PDF attached.</summary>
public static class OrderPaidMailHandler
{
    public static async Task Handle(OrderPaid paid, IQuerySession session, MailSender mail, MySign.Kernel.Web.PortalUrl portal, CancellationToken cancellation)
    {
        var order = await session.LoadAsync<Order>(paid.OrderId, cancellation);
        if (order?.CustomerEmail is null || order.InvoiceNumber is null) return;
        var language = order.Language;
        var link = portal.For(order.ContinueAt);
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T("mail.order_paid.body", language),
            order.Billing?.Name, order.InvoiceNumber, Money.Format(order.Gross, language)) + "\n\n" + link + "\n\nMySign";
        await mail.SendAsync(new OutgoingMail(order.CustomerEmail, Strings.T("mail.order_paid.subject", language), text, MailText.ToHtml(text),
            [new MailAttachment($"invoice-{order.InvoiceNumber.Replace('/', '-')}.pdf", "application/pdf", InvoicePdf.Build(order, language))]), cancellation);
    }
}
