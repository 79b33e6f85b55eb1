using System.Net;
using System.Net.Http.Json;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySign.Kernel.Operations;

namespace MySign.Otp.Sms;

/// <summary>Sends a text message to a phone number (E.164).</summary>
public interface ISmsGateway
{
    Task SendAsync(string to, string text, CancellationToken cancellation);
}

/// <summary>A text the sandbox gateway "sent": kept in PostgreSQL, listed at /dev/outbox in Development, read by tests.</summary>
public sealed class SandboxSms
{
    public Guid Id { get; set; }
    public string To { get; set; } = "";
    public string Text { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

public sealed class SmsOptions
{
    /// <summary>"sandbox" (default) or "http".</summary>
    public string Provider { get; set; } = "sandbox";
    public string? Url { get; set; }
    public string? ApiKey { get; set; }
    public string Sender { get; set; } = "MySign";
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public int Attempts { get; set; } = 3;
}

/// <summary>Behaves like an operator that accepts every message at once; it delivers to the database.</summary>
public sealed class SandboxSmsGateway(IDocumentStore store, TimeProvider clock) : ISmsGateway
{
    public async Task SendAsync(string to, string text, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        session.Store(new SandboxSms { Id = Guid.CreateVersion7(now), To = to, Text = text, At = now });
        await session.SaveChangesAsync(cancellation);
    }
}

/// <summary>
/// A real operator's HTTP API: POST {to, text, sender} as JSON with a bearer key, a timeout per try and
/// retries with back-off on network errors and 5xx; a 4xx is final.
/// </summary>
public sealed class HttpSmsGateway(IHttpClientFactory clients, IOptions<SmsOptions> options, ILogger<HttpSmsGateway> logger) : ISmsGateway
{
    /// <summary>
    /// Tries a few times with back-off while the operator is away (no answer, 5xx, 408, 429), then throws
    /// <see cref="PartyAwayException"/> for Wolverine's policy to try later; any other answer is a final
    /// <see cref="SmsRefusedException"/>: the number or the request is refused, and trying again cannot help.
    /// </summary>
    public async Task SendAsync(string to, string text, CancellationToken cancellation)
    {
        var settings = options.Value;
        var url = settings.Url ?? throw new InvalidOperationException("Otp:Sms:Url is not configured.");
        var client = clients.CreateClient(nameof(HttpSmsGateway));
        client.Timeout = settings.Timeout;
        for (var attempt = 1; ; attempt++)
        {
            string away;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { to, text, sender = settings.Sender }) };
                if (!string.IsNullOrEmpty(settings.ApiKey)) request.Headers.Authorization = new("Bearer", settings.ApiKey);
                using var response = await client.SendAsync(request, cancellation);
                if (response.IsSuccessStatusCode) return;
                var status = (int)response.StatusCode;
                if (status < 500 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests))
                    throw new SmsRefusedException($"SMS operator answered {status}.");
                away = $"SMS operator answered {status}.";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                away = "SMS operator unreachable: " + e.Message;
            }
            if (attempt >= settings.Attempts) throw new PartyAwayException(away);
            logger.LogWarning("{Away} (try {Attempt})", away, attempt);
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt * attempt), cancellation);
        }
    }
}

/// <summary>The SMS operator refused a text for good (a 4xx other than 408 and 429): a number it will not text, a key it no longer takes.</summary>
public sealed class SmsRefusedException(string message) : Exception(message);
