using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace MySign.Testing;

/// <summary>
/// A real SMTP server (Debian's python3-aiosmtpd) on a free loopback port, storing what it receives in a
/// Maildir; tests read the messages back as MIME. One per fixture, so parallel runs never mix mail.
/// </summary>
/// <param name="tls">Implicit TLS (SMTPS, as PEC providers serve on 465) with a fresh self-signed certificate for 127.0.0.1,
/// made by openssl; clients trust it through <see cref="CertificatePath"/>. With <paramref name="user"/>, the server also
/// offers AUTH and accepts only that user and <paramref name="password"/> (a PEC mailbox's credentials).</param>
public sealed class SmtpServer(bool tls = false, string? user = null, string? password = null) : IAsyncDisposable
{
    // aiosmtpd's own command line has no AUTH: the same server started from its Python API, with an authenticator.
    private const string SecureServer = """
        import sys, ssl, threading
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox
        from aiosmtpd.smtp import AuthResult, LoginPassword
        port, maildir, cert, key, user, password = sys.argv[1:7]
        def check(server, session, envelope, mechanism, data):
            return AuthResult(success=isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        options = dict(authenticator=check, auth_require_tls=False) if user else {}
        Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port), ssl_context=context, **options).start()
        threading.Event().wait()
        """;

    private Process? _process;
    public int Port { get; private set; }
    public string Maildir { get; } = Path.Combine(Path.GetTempPath(), "mysign-mail-" + Guid.NewGuid().ToString("N")[..8]);
    /// <summary>The server's certificate (PEM), when it speaks TLS.</summary>
    public string CertificatePath => Path.Combine(Maildir, "server.pem");

    /// <summary>Starts the server; started again after <see cref="StopAsync"/>, it listens on the same port and keeps the same Maildir.</summary>
    public async Task StartAsync()
    {
        foreach (var folder in new[] { "tmp", "new", "cur" }) Directory.CreateDirectory(Path.Combine(Maildir, folder));
        if (Port == 0) Port = FreePort();
        string[] secure = [];
        if (tls)
        {
            var key = Path.Combine(Maildir, "server.key");
            using var openssl = Process.Start(new ProcessStartInfo("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", CertificatePath,
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            await openssl.WaitForExitAsync();
            if (openssl.ExitCode != 0) throw new InvalidOperationException("openssl could not make the SMTP server's certificate: " + await openssl.StandardError.ReadToEndAsync());
            secure = ["-c", SecureServer, Port.ToString(), Maildir, CertificatePath, key, user ?? "", password ?? ""];
        }
        _process = Process.Start(new ProcessStartInfo("/usr/bin/python3",
            tls ? secure : ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir])
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            try { using var probe = new TcpClient(); await probe.ConnectAsync(IPAddress.Loopback, Port); return; }
            catch (SocketException) { await Task.Delay(50); }
            if (_process.HasExited) break;
        }
        throw new InvalidOperationException("aiosmtpd did not start: " + (_process.HasExited ? await _process.StandardError.ReadToEndAsync() : "timeout"));
    }

    /// <summary>Every message received so far, oldest first.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var folder = Path.Combine(Maildir, "new");
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder).Select(f => (File: f, Time: File.GetLastWriteTimeUtc(f))).OrderBy(f => f.Time)
            .Select(f => MimeMessage.Load(f.File)).ToList();
    }

    /// <summary>
    /// Waits (polling the Maildir, bounded) for a message to <paramref name="to"/> matching <paramref name="match"/>. Every
    /// mail a test reads this way must have links that stand alone (see <see cref="MailLinks.Problems"/>).
    /// </summary>
    public async Task<MimeMessage> WaitForAsync(string to, Func<MimeMessage, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var found = Messages().LastOrDefault(m => m.To.Mailboxes.Any(a => a.Address.Equals(to, StringComparison.OrdinalIgnoreCase)) && (match?.Invoke(m) ?? true));
            if (found is not null)
                return MailLinks.Problems(found) is { Count: > 0 } problems
                    ? throw new InvalidOperationException($"The mail \"{found.Subject}\" to {to} has links a reader cannot follow: {string.Join("; ", problems)}")
                    : found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No e-mail to {to} arrived at the SMTP server.");
            await Task.Delay(100);
        }
    }

    /// <summary>The relay goes away: connections to its port are refused until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Kill(true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        try { if (_process is { HasExited: false }) _process.Kill(true); } catch (InvalidOperationException) { }
        _process?.Dispose();
        try { Directory.Delete(Maildir, true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
