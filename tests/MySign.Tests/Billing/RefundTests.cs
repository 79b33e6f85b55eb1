using MySign.Billing.Domain;

namespace MySign.Tests.Billing;

/// <summary>
/// What an order must give back, decided by the order alone: credits in (bank entries, card captures), then perhaps a
/// cancellation of its renewal. Every euro received for a cancelled order is refunded, once; otherwise only what is not owed.
/// </summary>
public sealed class RefundTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string[], string?, decimal, string> Cases() => new()
    {
        { "paid exactly: nothing", ["36.60"], null, 0m, "" },
        { "paid in two parts: nothing", ["30.00", "6.60"], null, 0m, "" },
        { "overpaid: the excess", ["100.00"], null, 63.40m, "Overpaid 63.40" },
        { "paid, then the same again: the second", ["36.60", "36.60"], null, 36.60m, "AfterPayment 36.60" },
        { "dollars: returned as they came, not a euro refund", ["36.60 USD"], null, 0m, "WrongCurrency 36.60" },
        { "a part, then cancelled: the part", ["10.00"], "cancel", 10.00m, "BeforeCancellation 10.00" },
        { "a part, cancelled, then the rest: both", ["10.00"], "cancel, 26.60", 36.60m, "BeforeCancellation 10.00, AfterCancellation 26.60" },
        { "nothing, cancelled, then a transfer: the transfer", [], "cancel, 36.60", 36.60m, "AfterCancellation 36.60" },
        { "paid, and the cancellation crossed it: all of it", ["36.60"], "cancel", 36.60m, "BeforeCancellation 36.60" },
        { "overpaid, and the cancellation crossed it: all of it, the excess once", ["100.00"], "cancel", 100.00m, "BeforeCancellation 100.00" },
    };

    [Theory, MemberData(nameof(Cases))]
    public void every_euro_not_owed_is_refunded_once(string name, string[] before, string? then, decimal refund, string refunds)
    {
        var order = new Order { Gross = 36.60m, Status = OrderStatus.AwaitingTransfer };
        var n = 0;
        void Credit(string credit)
        {
            var parts = credit.Split(' ');
            order.Credit("bank", $"E{++n}", decimal.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts.Length > 1 ? parts[1] : "EUR", Now);
        }
        foreach (var credit in before) Credit(credit);
        foreach (var step in (then ?? "").Split(", ", StringSplitOptions.RemoveEmptyEntries))
            if (step == "cancel") order.CancelForRenewal(Now); else Credit(step);
        order.RefundDue.ShouldBe(refund, name);
        // What the reconciliation report lists for the operator: each credit to give back, why, and how much of it.
        string.Join(", ", order.Refunds().Select(r => $"{r.Kind} {r.Amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}")).ShouldBe(refunds, name);
    }
}
