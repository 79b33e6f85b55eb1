using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySign.Billing.Domain;
using MySign.Kernel.Web;
using Wolverine;
using Wolverine.Http;

namespace MySign.Billing.Payments;

/// <summary>A credit booked on the TSP's account, as an ISO 20022 camt.053 statement reports it.</summary>
public sealed record BankCredit(string EntryId, decimal Amount, string Currency, string RemittanceInfo);

/// <summary>
/// What one statement did. Applied: credits that paid something (all or part of an order); Paid: orders that became
/// paid; Exceptions: credits an operator must refund or return (overpaid, another currency, an order already paid or
/// cancelled), each with its entry and the order's reference.
/// </summary>
public sealed record ReconciliationReport(int Applied, int Paid, int Unmatched, int Duplicates, IReadOnlyList<ReconciliationException> Exceptions);

public sealed record ReconciliationException(string Entry, string Reference, string Kind, decimal Amount, string Currency);

/// <summary>
/// Reads camt.053 (BkToCstmrStmt): every booked credit entry with its amount, currency, the bank's reference and
/// the unstructured remittance information where the payer wrote our transfer reference. DTDs are refused.
/// </summary>
public static partial class Camt053
{
    [GeneratedRegex(@"MYSIGN-[A-Z0-9]{10}")]
    public static partial Regex Reference();

    public static IReadOnlyList<BankCredit> Read(Stream xml)
    {
        using var reader = XmlReader.Create(xml, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        var document = XDocument.Load(reader);
        static IEnumerable<XElement> All(XContainer node, string name) => node.Descendants().Where(e => e.Name.LocalName == name);
        static string? First(XContainer node, string name) => All(node, name).FirstOrDefault()?.Value.Trim();
        var credits = new List<BankCredit>();
        foreach (var entry in All(document, "Ntry"))
        {
            if (First(entry, "CdtDbtInd") != "CRDT") continue;
            var status = All(entry, "Sts").FirstOrDefault();
            if (status is not null && (First(status, "Cd") ?? status.Value.Trim()) != "BOOK") continue;
            var amount = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "Amt");
            if (amount is null || !decimal.TryParse(amount.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var value)) continue;
            var remittance = string.Join(" ", All(entry, "Ustrd").Select(u => u.Value.Trim()));
            // The bank's own reference identifies the entry; without one, the entry's content does.
            var id = First(entry, "AcctSvcrRef") ?? First(entry, "NtryRef")
                     ?? Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(entry.ToString(SaveOptions.DisableFormatting))))[..32];
            credits.Add(new BankCredit(id, value, (string?)amount.Attribute("Ccy") ?? "", remittance));
        }
        return credits;
    }
}

/// <summary>
/// The bank's statements arrive here (the integration that fetches them from the bank posts each file with a
/// bearer token): each credit quoting an order's transfer reference pays that order, once, through the same
/// path as the card providers' webhooks.
/// </summary>
public static class BankStatementEndpoint
{
    public const int MaxStatement = 5 * 1024 * 1024;

    [WolverinePost("/webhooks/bank/camt053"), AllowAnonymous, Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryToken(false)]
    public static async Task<IResult> Import(HttpContext context, IOptions<PaymentOptions> options, IQuerySession session, IMessageBus bus,
        OrderLanes lanes, ILogger<ReconciliationReport> logger)
    {
        if (IntegrationToken.Refusal(context, options.Value.BankImportToken, logger, "Bank integration") is { } refused) return refused;
        var bytes = await RequestBody.ReadAsync(context.Request, MaxStatement, context.RequestAborted);
        if (bytes is null) return Results.Json(new { error = "too_large" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        IReadOnlyList<BankCredit> credits;
        try
        {
            credits = Camt053.Read(new MemoryStream(bytes));
        }
        catch (XmlException)
        {
            return Results.Json(new { error = "not_camt053" }, statusCode: StatusCodes.Status400BadRequest);
        }
        ReconciliationReport report;
        try
        {
            report = await ReconcileAsync(credits, session, bus, lanes, context.RequestAborted);
        }
        catch (Exception e) when (PaymentEvents.IsConflict(e))
        {
            // The credits before this one are recorded; the integration posts the statement again and they count as duplicates.
            logger.LogWarning("Bank statement: a credit met a concurrent change of its order; answered 503 for a retry");
            return PaymentEvents.TryAgain();
        }
        logger.LogInformation("Bank statement: {Applied} applied, {Paid} orders paid, {Unmatched} unmatched, {Duplicates} already known, {Exceptions} exceptions",
            report.Applied, report.Paid, report.Unmatched, report.Duplicates, report.Exceptions.Count);
        return Results.Json(report);
    }

    /// <summary>
    /// The standing reconciliation report for the integration that pays money back: every credit to refund or return, on
    /// every order, oldest first (a statement's own report lists only what that statement brought).
    /// </summary>
    [WolverineGet("/webhooks/bank/refunds"), AllowAnonymous]
    public static async Task<IResult> Refunds(HttpContext context, IOptions<PaymentOptions> options, IQuerySession session, ILogger<ReconciliationReport> logger)
    {
        if (IntegrationToken.Refusal(context, options.Value.BankImportToken, logger, "Bank integration") is { } refused) return refused;
        var orders = await session.Query<Order>()
            .Where(o => o.Status == OrderStatus.Cancelled || o.RenewalCancelledAfterPayment
                        || o.Credits.Any(c => c.Outcome != CreditOutcome.Partial && c.Outcome != CreditOutcome.Paid && c.Outcome != CreditOutcome.Invalid))
            .ToListAsync(context.RequestAborted);
        var refunds = orders.SelectMany(o => o.Refunds().Select(r => new RefundLine(o.TransferReference ?? o.Id.ToString(), o.Id, r.Kind.ToString(), r.Credit.Source,
                r.Credit.EntryId, r.Amount, r.Credit.Currency, r.Credit.At)))
            .OrderBy(r => r.At).ToList();
        return Results.Json(new { refunds });
    }

    public sealed record RefundLine(string Reference, Guid Order, string Kind, string Source, string Entry, decimal Amount, string Currency, DateTimeOffset At);

    public static async Task<ReconciliationReport> ReconcileAsync(IReadOnlyList<BankCredit> credits, IQuerySession session, IMessageBus bus, OrderLanes lanes,
        CancellationToken cancellation)
    {
        int applied = 0, paid = 0, unmatched = 0, duplicates = 0;
        var exceptions = new List<ReconciliationException>();
        foreach (var credit in credits)
        {
            var reference = Camt053.Reference().Match(credit.RemittanceInfo.ToUpperInvariant());
            var order = reference.Success
                ? await session.Query<Order>().Where(o => o.TransferReference == reference.Value).FirstOrDefaultAsync(cancellation)
                : null;
            if (order is null) { unmatched++; continue; }
            // The same entry imported at the same moment by another call is a duplicate; see PaymentEvents.ApplyAsync.
            var result = await PaymentEvents.ApplyAsync(bus, lanes, "bank", new PaymentEvent(credit.EntryId, "payment.succeeded", order.Id,
                credit.Amount.ToString("0.00", CultureInfo.InvariantCulture), credit.Currency), cancellation);
            if (result.Duplicate) { duplicates++; continue; }
            if (result.Counted) applied++;
            if (result.Outcome is CreditOutcome.Paid or CreditOutcome.Overpaid) paid++;
            if (result.Outcome is not (null or CreditOutcome.Partial or CreditOutcome.Paid))
                exceptions.Add(new ReconciliationException(credit.EntryId, reference.Value, result.Outcome.Value.ToString(), credit.Amount, credit.Currency));
        }
        return new ReconciliationReport(applied, paid, unmatched, duplicates, exceptions);
    }
}
