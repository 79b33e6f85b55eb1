using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace MySign.Testing;

/// <summary>
/// An SMTP server that receives every message whole, but for the first message to each recipient hangs up instead of
/// answering the end of DATA: the mail arrived, and its sender believes it failed. That is the crash between sending
/// and being marked handled, reproduced without killing anything; a sender that retries then sends again.
/// </summary>
public sealed class AnswerLosingSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<MimeMessage> _received = new();
    private readonly ConcurrentDictionary<string, bool> _answerLost = new(StringComparer.OrdinalIgnoreCase);

    public AnswerLosingSmtpServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every message received to <paramref name="to"/>, oldest first (the one whose answer was lost included).</summary>
    public IReadOnlyList<MimeMessage> To(string to) =>
        _received.Where(m => m.To.Mailboxes.Any(a => a.Address.Equals(to, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>Waits (bounded) until at least <paramref name="count"/> messages to <paramref name="to"/> arrived.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(string to, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (To(to).Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{To(to).Count} of {count} mails to {to} arrived.");
            await Task.Delay(100);
        }
        return To(to);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost ESMTP");
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                if (verb == "QUIT") { await writer.WriteLineAsync("221 Bye"); return; }
                if (verb == "RCPT") recipients.Add(line[(line.IndexOf('<') + 1)..line.IndexOf('>')]);
                if (verb != "DATA") { await writer.WriteLineAsync(verb is "EHLO" or "HELO" or "MAIL" or "RCPT" or "RSET" or "NOOP" ? "250 OK" : "502 Not implemented"); continue; }
                await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(_stop.Token) is { } body && body != ".") data.Append(body.StartsWith("..") ? body[1..] : body).Append("\r\n");
                _received.Enqueue(MimeMessage.Load(new MemoryStream(Encoding.Latin1.GetBytes(data.ToString()))));
                // The first message to a recipient: hang up where the answer should be.
                if (recipients.Any(r => _answerLost.TryAdd(r, true))) return;
                await writer.WriteLineAsync("250 OK");
                recipients.Clear();
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
        catch (IOException) { }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}
