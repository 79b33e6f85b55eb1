using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.Extensions.Options;
using MySign.Billing.Domain;

namespace MySign.Billing.Payments;

public sealed class PaymentOptions
{
    /// <summary>"sandbox" (default) or "hosted": the real hosted-payment-page adapter.</summary>
    public string Provider { get; set; } = "sandbox";
    public string? Url { get; set; }
    public string? ApiKey { get; set; }
    /// <summary>The webhook signing secret shared with the provider.</summary>
    public string WebhookSecret { get; set; } = "";
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>The account bank transfers go to: its IBAN, the beneficiary's name and the bank's BIC, as a payer's bank asks.</summary>
    public string Iban { get; set; } = "";
    public string Beneficiary { get; set; } = "";
    public string Bic { get; set; } = "";
    /// <summary>The bearer token the bank-statement integration posts camt.053 files with; empty turns the import off.</summary>
    public string BankImportToken { get; set; } = "";

    /// <summary>
    /// Holders wire real money to these details, so Production names its own account (a valid IBAN, the beneficiary, the
    /// BIC) and refuses to start without it; elsewhere a well-known example account stands in.
    /// </summary>
    public static void BankAccount(PaymentOptions options, bool production)
    {
        if (production)
        {
            var missing = new[] { ("Iban", options.Iban), ("Beneficiary", options.Beneficiary), ("Bic", options.Bic) }
                .Where(s => string.IsNullOrWhiteSpace(s.Item2)).Select(s => "Billing__Payments__" + s.Item1).ToList();
            if (missing.Count > 0)
                throw new InvalidOperationException($"{string.Join(", ", missing)} must be configured in Production: the account holders pay bank transfers to.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(options.Iban)) options.Iban = "IT60X0542811101000000123456";
            if (string.IsNullOrWhiteSpace(options.Beneficiary)) options.Beneficiary = "MySign S.p.A.";
            if (string.IsNullOrWhiteSpace(options.Bic)) options.Bic = "BLOPIT22XXX";
        }
        options.Iban = options.Iban.Replace(" ", "").ToUpperInvariant();
        options.Bic = options.Bic.Trim().ToUpperInvariant();
        if (!IsIban(options.Iban)) throw new InvalidOperationException("Billing__Payments__Iban is not a valid IBAN (its check digits do not match).");
        if (options.Bic.Length is not (8 or 11) || !options.Bic.All(char.IsAsciiLetterOrDigit))
            throw new InvalidOperationException("Billing__Payments__Bic must be a BIC of 8 or 11 letters and digits.");
    }

    /// <summary>ISO 13616: the country and check digits moved to the end, letters as numbers, the whole number mod 97 is 1.</summary>
    public static bool IsIban(string iban)
    {
        if (iban.Length is < 15 or > 34 || !iban.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c))) return false;
        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
            foreach (var digit in char.IsAsciiDigit(c) ? c.ToString() : (c - 'A' + 10).ToString(CultureInfo.InvariantCulture))
                remainder = (remainder * 10 + (digit - '0')) % 97;
        return remainder == 1;
    }

    /// <summary>
    /// Production sells for real: the sandbox (whose own page "approves" any payment) must never answer there, so
    /// the host refuses to start unless the hosted provider is configured.
    /// </summary>
    public static void RequireHostedProvider(PaymentOptions options)
    {
        if (!string.Equals(options.Provider, "hosted", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                "Billing:Payments:Provider must be \"hosted\" in Production (Billing__Payments__Provider=hosted with Billing__Payments__Url and " +
                "Billing__Payments__ApiKey): the sandbox provider would let anyone pay an order by pressing \"approve\".");
        if (string.IsNullOrWhiteSpace(options.Url) || !Uri.TryCreate(options.Url, UriKind.Absolute, out _) || string.IsNullOrWhiteSpace(options.ApiKey))
            throw new InvalidOperationException("Billing:Payments:Url and Billing:Payments:ApiKey must be configured in Production for the hosted payment provider.");
    }
}

/// <summary>A hosted payment page: the holder is sent there and comes back; only the signed webhook says "paid".</summary>
public interface IPaymentProvider
{
    /// <summary>Starts a checkout for the order with the method (card or paypal); answers where to send the browser.</summary>
    Task<(string Session, string RedirectUrl)> StartAsync(Order order, string method, string returnUrl, CancellationToken cancellation);

    /// <summary>
    /// Closes a checkout the holder left, so it can no longer take a payment. False when it is too late: the payment was
    /// made there (its webhook is on its way).
    /// </summary>
    Task<bool> CloseAsync(string session, CancellationToken cancellation);
}

/// <summary>The real adapter: creates a checkout session over the provider's HTTP API (bearer key).</summary>
public sealed class HostedPaymentProvider(HttpClient http, IOptions<PaymentOptions> options) : IPaymentProvider
{
    public async Task<(string Session, string RedirectUrl)> StartAsync(Order order, string method, string returnUrl, CancellationToken cancellation)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url!.TrimEnd('/') + "/v1/checkout/sessions")
        {
            Content = JsonContent.Create(new
            {
                reference = order.Id, amount = order.Gross.ToString("0.00", CultureInfo.InvariantCulture), currency = "EUR",
                method, return_url = returnUrl,
            }),
        };
        request.Headers.Authorization = new("Bearer", settings.ApiKey);
        using var response = await http.SendAsync(request, cancellation);
        response.EnsureSuccessStatusCode();
        var session = await response.Content.ReadFromJsonAsync<HostedSession>(cancellation) ?? throw new InvalidOperationException("Empty answer from the payment provider.");
        return (session.Id, session.Url);
    }

    /// <summary>`POST /v1/checkout/sessions/{id}/expire`: 2xx closed it; 409 means it was already completed.</summary>
    public async Task<bool> CloseAsync(string session, CancellationToken cancellation)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{settings.Url!.TrimEnd('/')}/v1/checkout/sessions/{Uri.EscapeDataString(session)}/expire");
        request.Headers.Authorization = new("Bearer", settings.ApiKey);
        using var response = await http.SendAsync(request, cancellation);
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict) return false;
        response.EnsureSuccessStatusCode();
        return true;
    }

    private sealed record HostedSession(string Id, string Url);
}

/// <summary>A checkout at the sandbox provider: its own pages approve, decline or cancel, then it sends the signed webhook.</summary>
public sealed class SandboxCheckout
{
    public string Id { get; set; } = "";
    public Guid OrderId { get; set; }
    public string Method { get; set; } = "";
    public decimal Amount { get; set; }
    public string ReturnUrl { get; set; } = "";
    public string State { get; set; } = "open";
}

public sealed class SandboxPaymentProvider(IDocumentStore store) : IPaymentProvider
{
    public async Task<(string Session, string RedirectUrl)> StartAsync(Order order, string method, string returnUrl, CancellationToken cancellation)
    {
        var id = "cs_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        await using var session = store.LightweightSession();
        session.Insert(new SandboxCheckout { Id = id, OrderId = order.Id, Method = method, Amount = order.Gross, ReturnUrl = returnUrl });
        await session.SaveChangesAsync(cancellation);
        return (id, "/store/sandbox/" + id);
    }

    /// <summary>An open checkout is closed (its page no longer approves); one already approved is too late.</summary>
    public async Task<bool> CloseAsync(string session, CancellationToken cancellation)
    {
        await using var documents = store.LightweightSession();
        var checkout = await documents.LoadAsync<SandboxCheckout>(session, cancellation);
        if (checkout is null || checkout.State != "open") return checkout?.State != "approved";
        checkout.State = "expired";
        documents.Store(checkout);
        await documents.SaveChangesAsync(cancellation); // a decision at the same moment fails the version check: one of the two wins
        return true;
    }
}

/// <summary>What a provider's webhook says. Amount in euro as a string, as providers send it.</summary>
public sealed record PaymentEvent(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("order_id")] Guid OrderId,
    [property: JsonPropertyName("amount")] string Amount,
    [property: JsonPropertyName("currency")] string Currency);

/// <summary>
/// Webhook signatures: header "t=unix-seconds,v1=hex(HMAC-SHA256(secret, t + '.' + body))". Refused when the MAC
/// does not match (compared in constant time) or the timestamp is outside the tolerance (replayed much later).
/// </summary>
public sealed class WebhookSignature(IOptions<PaymentOptions> options, TimeProvider clock)
{
    public const string Header = "MySign-Signature";

    public string Sign(string body)
    {
        var t = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Mac(t, body)}";
    }

    public bool Verify(string? header, string body)
    {
        if (string.IsNullOrEmpty(header) || options.Value.WebhookSecret.Length == 0) return false;
        // A key given twice makes the header ambiguous: refused, never guessed.
        var pairs = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).Select(p => (Key: p[0].Trim(), Value: p[1].Trim())).ToList();
        if (pairs.DistinctBy(p => p.Key).Count() != pairs.Count) return false;
        var parts = pairs.ToDictionary(p => p.Key, p => p.Value);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1)) return false;
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return false;
        if ((clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > options.Value.Tolerance) return false;
        byte[] given;
        try { given = Convert.FromHexString(v1); } catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(given, Convert.FromHexString(Mac(t, body)));
    }

    private string Mac(string t, string body) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.WebhookSecret), Encoding.UTF8.GetBytes(t + "." + body))).ToLowerInvariant();

    public static string Body(PaymentEvent e) => JsonSerializer.Serialize(e);

    public static PaymentEvent? Parse(string body)
    {
        try { return JsonSerializer.Deserialize<PaymentEvent>(body); }
        catch (JsonException) { return null; }
    }
}
