using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Billing.Domain;
using MySign.Billing.Sdi;
using MySign.Billing.Store;
using MySign.Kernel.Operations;

namespace MySign.Billing.Invoicing;

public sealed class InvoicesInput : NetCoreInput
{
    [Description("Only documents whose latest file is in this state: queued, sent, delivered, available or rejected"), FlagAlias("state")]
    public string? StateFlag { get; set; }

    [Description("Only documents of this year"), FlagAlias("year")]
    public int? YearFlag { get; set; }
}

/// <summary>
/// `invoices --state rejected`: the invoices and credit notes, newest first, with where each stands with SdI (and SdI's
/// error codes for a rejected one): what an operator reads when the log says SdI rejected a file.
/// </summary>
[Description("Lists invoices and credit notes with their SdI state", Name = "invoices")]
public sealed class InvoicesCommand : JasperFxAsyncCommand<InvoicesInput>
{
    public override async Task<bool> Execute(InvoicesInput input)
    {
        SdiState? state = null;
        if (input.StateFlag is { } wanted)
        {
            if (!Enum.TryParse<SdiState>(wanted, ignoreCase: true, out var parsed))
            {
                await Console.Error.WriteLineAsync("invoices: --state is one of " + string.Join(", ", Enum.GetNames<SdiState>().Select(n => n.ToLowerInvariant())));
                return false;
            }
            state = parsed;
        }
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var orders = await session.Query<Order>().Where(o => o.InvoiceNumber != null).OrderByDescending(o => o.PaidAt).Take(10_000).ToListAsync();
        Console.WriteLine("number\tkind\tdate\ttotal\tstate\tfile\tbuyer\torder\terrors");
        foreach (var (order, document) in orders.SelectMany(o => o.Documents().Select(d => (o, d)))
                     .Where(x => (state is null || x.d.State == state) && (input.YearFlag is null || x.d.Date.Year == input.YearFlag)))
        {
            var latest = document.Latest();
            Console.WriteLine(string.Join('\t', document.Number, document.Kind, document.Date.ToString("yyyy-MM-dd"), document.Gross.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
                document.State.ToString().ToLowerInvariant(), latest.Name, order.Billing?.Name, order.Id, string.Join("; ", latest.Errors.Select(e => $"{e.Code} {e.Description}"))));
        }
        return true;
    }
}

public sealed class InvoiceResendInput : NetCoreInput
{
    [Description("The number of the rejected invoice or credit note, e.g. 2026/000042")]
    public string Number { get; set; } = "";

    [Description("The buyer's corrected codice destinatario (7 characters)"), FlagAlias("recipient-code")]
    public string? RecipientCodeFlag { get; set; }

    [Description("The buyer's corrected PEC address"), FlagAlias("pec")]
    public string? PecFlag { get; set; }

    [Description("The buyer's corrected VAT number"), FlagAlias("vat-number")]
    public string? VatNumberFlag { get; set; }

    [Description("The buyer's corrected fiscal code"), FlagAlias("fiscal-code")]
    public string? FiscalCodeFlag { get; set; }
}

/// <summary>
/// `invoices-resend 2026/000042 --recipient-code M5UXCR1`: a document SdI rejected, corrected (the buyer's data as given,
/// checked as the store checks it; or as it is, when the cause was ours and is fixed) and queued as a new file with a
/// new progressive, the same number and date. The running portal sends it within a minute; the rejected file is kept.
/// </summary>
[Description("Corrects a rejected invoice or credit note and sends it to SdI again", Name = "invoices-resend")]
public sealed class InvoiceResendCommand : JasperFxAsyncCommand<InvoiceResendInput>
{
    public override async Task<bool> Execute(InvoiceResendInput input)
    {
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var number = input.Number.Trim();
        var orders = await session.Query<Order>().Where(o => o.InvoiceNumber == number || o.CreditNotes.Any(c => c.Number == number)).ToListAsync();
        var order = orders.FirstOrDefault(o => o.FindDocument(number) is not null);
        if (order?.FindDocument(number) is not { } document)
        {
            await Console.Error.WriteLineAsync($"invoices-resend: there is no invoice or credit note {number}");
            return false;
        }
        if (document.State != SdiState.Rejected)
        {
            await Console.Error.WriteLineAsync($"invoices-resend: {number} is {document.State.ToString().ToLowerInvariant()}, not rejected: nothing to correct");
            return false;
        }
        var typed = BillingForm.AsTyped(order.Billing!);
        var corrections = new List<string>();
        void Correct(string field, string? value)
        {
            if (value is null) return;
            typed[field] = value;
            corrections.Add($"{field}={value}");
        }
        Correct("recipient_code", input.RecipientCodeFlag);
        Correct("pec", input.PecFlag);
        Correct("vat_number", input.VatNumberFlag);
        Correct("fiscal_code", input.FiscalCodeFlag);
        var (errors, billing) = BillingForm.Validate(typed);
        if (billing is null)
        {
            await Console.Error.WriteLineAsync("invoices-resend: " + string.Join("; ", errors.Select(e => $"{e.Key}: {MySign.Kernel.Localization.Strings.T(e.Value, "en")}")));
            return false;
        }
        order.Billing = billing;
        var correction = corrections.Count > 0 ? string.Join(", ", corrections) : "sent again as it was";
        var transmit = await host.Services.GetRequiredService<FiscalIssuer>().CorrectedAsync(session, order, document, correction, CancellationToken.None);
        session.Store(order);
        session.Insert(CommandAudit.Of("invoices-resend", $"{number} {correction}", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        Console.WriteLine($"{document.Kind} {number}: corrected ({correction}) and queued as {transmit.FileName}; the portal sends it to SdI within a minute");
        return true;
    }
}
