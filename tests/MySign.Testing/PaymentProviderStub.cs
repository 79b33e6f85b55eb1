using System.Net;
using System.Text;
using System.Text.Json;

namespace MySign.Testing;

/// <summary>
/// A hosted payment provider on loopback, as the real adapter talks to it: `POST /v1/checkout/sessions` with the
/// bearer key answers a session and the page to send the browser to. It records what it was asked; payments are then
/// confirmed by the test with a signed webhook, as the provider would.
/// </summary>
public sealed class PaymentProviderStub : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    public string Url { get; } = $"http://127.0.0.1:{SmtpServer.FreePort()}/";
    public List<JsonElement> Sessions { get; } = [];
    /// <summary>Checkouts the shop asked to close.</summary>
    public List<string> Expired { get; } = [];
    /// <summary>Checkouts a test has marked as paid at the provider: closing them is refused (409), as a provider does.</summary>
    public HashSet<string> Paid { get; } = [];

    public PaymentProviderStub()
    {
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            if (context.Request.Url!.AbsolutePath.EndsWith("/expire", StringComparison.Ordinal))
            {
                // A checkout the shop closes: this stub closes it unless it was marked paid.
                var session = context.Request.Url.AbsolutePath.Split('/')[^2];
                lock (Sessions) Expired.Add(session);
                context.Response.StatusCode = Paid.Contains(session) ? 409 : 200;
                context.Response.Close();
                continue;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            var id = "cs_test_" + Guid.NewGuid().ToString("N")[..12];
            lock (Sessions) Sessions.Add(body);
            var answer = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { id, url = "https://pay.provider.example/" + id }));
            context.Response.StatusCode = context.Request.Headers["Authorization"]?.StartsWith("Bearer ") == true ? 200 : 401;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _serving; } catch (Exception) { /* stopped */ }
        _listener.Close();
    }
}
