using System.Globalization;
using MySign.Billing.Domain;
using MySign.Kernel.Documents;
using MySign.Kernel.Localization;
using MySign.Kernel.Rendering;

namespace MySign.Billing.Store;

/// <summary>
/// The courtesy copy of a paid order's invoice, labelled as such (the invoice for tax purposes is the FatturaPA file sent
/// through SdI): the same number, date, seller and totals, the buyer's billing information, the line and the VAT.
/// </summary>
public static class InvoicePdf
{
    public static string FileName(Order order) => $"invoice-{order.InvoiceNumber!.Replace('/', '-')}.pdf";

    public static byte[] Build(Order order, string language, Invoicing.SellerOptions seller, Kernel.Brand.TspOptions tsp)
    {
        string T(string key) => Strings.T(key, language);
        string M(decimal amount) => Money.Format(amount, language);
        var culture = CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB");
        var billing = order.Billing!;
        var date = order.Invoice?.Date.ToString("d", culture)
                   ?? (order.PaidAt is { } paid ? TimeZoneInfo.ConvertTime(paid, TemplateFunctions.PortalTimeZone).ToString("d", culture) : "");
        // The seller of the electronic invoice heads its copy; the contacts are the seller's own, else the TSP's support.
        var contacts = string.Join(" · ", new[] { seller.Email, seller.Phone }.Where(c => !string.IsNullOrWhiteSpace(c)));
        using var pdf = new SimplePdf();
        pdf.Letterhead(new Letterhead(seller.Name, $"{seller.Street}, {seller.PostCode} {seller.City} ({seller.Province})", $"{T("invoice.vat_id")} IT{seller.VatNumber}",
                contacts.Length > 0 ? contacts : tsp.Contacts))
            .Text(T("invoice.title") + " " + order.InvoiceNumber, 16, bold: true)
            .Text(T("invoice.courtesy_copy"), 9, bold: true)
            .Row(T("invoice.date"), date)
            .Row(T("invoice.order"), order.Id.ToString())
            .Heading(T("invoice.buyer"))
            .Row(T("store.billing.name"), billing.Name)
            .Row(T("store.billing.fiscal_code"), billing.FiscalCode);
        if (billing.VatNumber is not null) pdf.Row(T("store.billing.vat_number"), billing.VatNumber);
        pdf.Row(T("store.billing.address"), billing.PostalAddress)
            .Heading(T("invoice.lines"))
            .Row(order.ProductNameIn(language), M(order.ListPrice), 330);
        if (order.Discount > 0) pdf.Row(T("store.cart.discount") + $" ({order.PromoCode})", "-" + M(order.Discount), 330);
        pdf.Row(T("store.cart.net"), M(order.Net), 330)
            .Row(T("store.cart.vat") + $" {order.VatRate * 100:0}%", M(order.Vat), 330)
            .Row(T("store.cart.total"), M(order.Gross), 330)
            .Gap(10).Text(T("invoice.paid_with." + order.Method), 9);
        return pdf.Build();
    }
}
