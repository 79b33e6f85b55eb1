using System.Diagnostics.Metrics;

namespace MySign.Kernel.Operations;

/// <summary>
/// The portal's own metrics (OpenTelemetry, exported for Prometheus at /metrics next to the HTTP server's requests by
/// route and status): what an operator watches besides latency. Counters only; no personal data in any tag.
/// </summary>
public static class Telemetry
{
    public const string MeterName = "MySign";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> SignIns = Meter.CreateCounter<long>("mysign.sign_ins", description: "Password checks at any door, by outcome (success, invalid, locked)");
    public static readonly Counter<long> OtpsSent = Meter.CreateCounter<long>("mysign.otps_sent", description: "OTP challenges issued, by channel");
    public static readonly Counter<long> OtpTexts = Meter.CreateCounter<long>("mysign.otp_texts", description: "Texts carrying an OTP code, by outcome (sent, refused, late: replaced or nearly expired before the operator took it)");
    public static readonly Counter<long> Signatures = Meter.CreateCounter<long>("mysign.signatures", description: "Signatures made, by channel");
    public static readonly Counter<long> Payments = Meter.CreateCounter<long>("mysign.payments", description: "Payment events applied, by outcome");
    public static readonly Counter<long> ClientErrors = Meter.CreateCounter<long>("mysign.client_errors", description: "Requests refused for what the client sent (a broken form, a body over the limits), by status");
    public static readonly Counter<long> OutageRequests = Meter.CreateCounter<long>("mysign.outage_requests", description: "Requests answered 503 because the database could not be reached");
    public static readonly Counter<long> SdiAnswers = Meter.CreateCounter<long>("mysign.sdi_answers", description: "Answers of the Sistema di Interscambio applied to invoices and credit notes, by kind (delivered, available, rejected, unknown)");
    public static readonly Counter<long> RenewalsCompleted = Meter.CreateCounter<long>("mysign.renewals_completed", description: "Renewals that issued a new certificate, by path");

    /// <summary>Messages waiting in Wolverine's durable inbox/outbox (read when scraped).</summary>
    public static void ObserveQueueDepth(Func<long> read) =>
        Meter.CreateObservableGauge("mysign.durable_queue_depth", read, description: "Durable inbox and outbox envelopes not yet handled or sent");
}

/// <summary>One thing /health/ready checks (each module adds what it needs to serve: its material, its release data).</summary>
public interface IReadinessCheck
{
    string Name { get; }
    Task<bool> IsReadyAsync(CancellationToken cancellation);
}
