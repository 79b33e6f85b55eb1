using System.Net;
using System.Text.Json;

namespace MySign.Testing;

/// <summary>
/// An SMS operator's HTTP API on loopback, for the real adapter (Otp:Sms:Provider=http): it answers each POST as told
/// (<see cref="Answers"/> first, then 503 while <see cref="Away"/>, else 202) and keeps what it received.
/// </summary>
public sealed class SmsOperator : IDisposable
{
    private readonly HttpListener _listener = new();
    public List<(string Authorization, JsonElement Body, int Status)> Received { get; } = [];
    public Queue<int> Answers { get; } = new();
    public volatile bool Away;
    public string Url { get; }

    public SmsOperator()
    {
        Url = $"http://127.0.0.1:{SmtpServer.FreePort()}/sms/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); } catch (Exception) { return; }
                using var reader = new StreamReader(context.Request.InputStream);
                var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
                int status;
                lock (Received)
                {
                    status = Answers.TryDequeue(out var told) ? told : Away ? 503 : 202;
                    Received.Add((context.Request.Headers["Authorization"] ?? "", body, status));
                }
                context.Response.StatusCode = status;
                context.Response.Close();
            }
        });
    }

    /// <summary>The texts accepted for <paramref name="to"/>, in order.</summary>
    public IReadOnlyList<string> Delivered(string to)
    {
        lock (Received)
            return Received.Where(r => r.Status < 300 && r.Body.GetProperty("to").GetString() == to).Select(r => r.Body.GetProperty("text").GetString()!).ToList();
    }

    /// <summary>Waits for the first text accepted for <paramref name="to"/>.</summary>
    public async Task<string> WaitForAsync(string to, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < until)
        {
            if (Delivered(to) is [var first, ..]) return first;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No text reached the operator for {to}.");
    }

    public void Dispose() => _listener.Stop();
}
