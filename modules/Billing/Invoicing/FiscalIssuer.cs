using System.Text;
using Marten;
using Microsoft.Extensions.Options;
using MySign.Billing.Domain;
using MySign.Billing.Payments;
using MySign.Billing.Sdi;
using MySign.Kernel.Rendering;

namespace MySign.Billing.Invoicing;

/// <summary>Send this file to SdI (after the transaction that made it commits; the sweep sends it too if this is lost).</summary>
public sealed record TransmitFiscalFile(Guid OrderId, string FileName);

/// <summary>
/// Makes an order's fiscal documents, always inside the transaction that decides them: the invoice in the one that finds
/// the order paid, a credit note in the one that decides a refund of what the invoice charged, a corrected file in the
/// operator's correction. Each document gets its number there (see <see cref="FiscalNumbers"/>), its XML is written once
/// and kept as sent, and the file is queued for SdI in the same commit.
/// </summary>
public sealed class FiscalIssuer(IOptions<SellerOptions> seller, IOptions<PaymentOptions> payments, TimeProvider clock)
{
    /// <param name="at">When the sale took place, for one recorded after the fact; otherwise the clock once the number is taken.</param>
    public async Task<TransmitFiscalFile> InvoiceAsync(IDocumentSession session, Order order, DateTimeOffset? at, CancellationToken cancellation)
    {
        var (number, date) = await NumberAsync(session, FiscalNumbers.Invoices, at, cancellation);
        var document = new FiscalDocument { Kind = FiscalDocument.Invoice, Number = $"{date.Year}/{number:D6}", Date = date };
        order.Invoice = document;
        order.InvoiceNumber = document.Number;
        return await FileAsync(session, order, document, null, cancellation);
    }

    /// <summary>A credit note for the whole invoice (its sale was undone: the renewal was cancelled after it was paid).</summary>
    public async Task<TransmitFiscalFile?> CreditNoteAsync(IDocumentSession session, Order order, CancellationToken cancellation)
    {
        if (order.Invoice is not { } invoice || order.CreditNotes.Count > 0) return null;
        var (number, date) = await NumberAsync(session, FiscalNumbers.CreditNotes, null, cancellation);
        var note = new FiscalDocument
        {
            Kind = FiscalDocument.CreditNote, Number = $"NC/{date.Year}/{number:D6}", Date = date, RelatedNumber = invoice.Number, RelatedDate = invoice.Date,
        };
        order.CreditNotes.Add(note);
        return await FileAsync(session, order, note, null, cancellation);
    }

    /// <summary>
    /// A corrected file for a document SdI rejected. A rejected file is not an issued invoice, so the corrected one keeps its
    /// number and date (Agenzia delle Entrate, circolare 13/E of 2 July 2018) and goes with a new progressive.
    /// </summary>
    public Task<TransmitFiscalFile> CorrectedAsync(IDocumentSession session, Order order, FiscalDocument document, string correction, CancellationToken cancellation) =>
        FileAsync(session, order, document, correction, cancellation);

    /// <summary>
    /// The number first (its counter row stays locked until this transaction commits), then the day read from the clock, so
    /// that a later number never carries an earlier day. A payment that waited for the lock across New Year keeps the year
    /// whose number it took, dated its last day.
    /// </summary>
    private async Task<(int Number, DateOnly Date)> NumberAsync(IDocumentSession session, string series, DateTimeOffset? at, CancellationToken cancellation)
    {
        var year = Day(at ?? clock.GetUtcNow()).Year;
        var number = await FiscalNumbers.NextAsync(session, series, year, cancellation);
        var date = Day(at ?? clock.GetUtcNow());
        return (number, date.Year == year ? date : new DateOnly(year, 12, 31));
    }

    private async Task<TransmitFiscalFile> FileAsync(IDocumentSession session, Order order, FiscalDocument document, string? correction, CancellationToken cancellation)
    {
        var progressive = await FiscalNumbers.NextProgressiveAsync(session, cancellation);
        var input = Input(order, document, progressive);
        var totals = FatturaPa.Totals(input.Lines);
        (document.Net, document.Vat, document.Gross) = (totals.Net, totals.Vat, totals.Gross);
        var now = clock.GetUtcNow();
        var file = new SdiFile
        {
            Name = FatturaPa.FileName(seller.Value, progressive), Progressive = progressive, Xml = Encoding.UTF8.GetString(FatturaPa.Write(input)),
            CreatedAt = now, State = SdiState.Queued, Correction = correction,
        };
        document.Files.Add(file);
        document.State = SdiState.Queued;
        // A correction is made by an operator's command, where no message follows the commit: the sweep sends it at once.
        session.Store(new SdiFileEntry { Id = file.Name, OrderId = order.Id, DueAt = correction is null ? now + SendQueuedFiscalFilesHandler.Grace : now });
        return new TransmitFiscalFile(order.Id, file.Name);
    }

    private FatturaPaInput Input(Order order, FiscalDocument document, string progressive)
    {
        var lines = new[] { new InvoiceLine(order.Sku, order.ProductNameIn("it"), 1, order.ListPrice, order.Discount, order.PromoCode, order.VatRate) };
        if (document.Kind == FiscalDocument.CreditNote)
            return new FatturaPaInput(seller.Value, order.Billing!, document.Kind, document.Number, document.Date, progressive, lines,
                RelatedNumber: document.RelatedNumber, RelatedDate: document.RelatedDate,
                Causale: $"Storno totale della fattura {document.RelatedNumber} del {document.RelatedDate:dd/MM/yyyy}: rinnovo annullato, importo rimborsato");
        var bank = payments.Value;
        var payment = new InvoicePayment(order.Method ?? "card", Day(order.PaidAt ?? clock.GetUtcNow()), bank.Beneficiary, bank.Iban, bank.Bic);
        return new FatturaPaInput(seller.Value, order.Billing!, document.Kind, document.Number, document.Date, progressive, lines, payment);
    }

    /// <summary>The day in Italy, where the invoice is dated.</summary>
    public static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TemplateFunctions.PortalTimeZone).DateTime);
}
