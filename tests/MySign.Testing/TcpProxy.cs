using System.Net;
using System.Net.Sockets;

namespace MySign.Testing;

/// <summary>
/// A loopback TCP relay in front of PostgreSQL: the app under test connects through it, and the test cuts it to
/// make the database unreachable for that app alone (every other test keeps its database), then restores it.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _cut;

    public TcpProxy(string upstreamHost, int upstreamPort)
    {
        (_upstreamHost, _upstreamPort) = (upstreamHost, upstreamPort);
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Rewrites an Npgsql connection string to go through this relay.</summary>
    public string Route(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port };
        return builder.ConnectionString;
    }

    /// <summary>The database "goes away": open connections break, new ones are refused at once.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    /// <summary>
    /// While set, what the upstream answers never reaches the client: the request goes through and is served whole, then the
    /// client's connection is reset at the answer's first byte (a response lost on the way back, as when a node dies after
    /// doing the work, or a balancer drops the connection).
    /// </summary>
    public bool LoseReplies { get; set; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            if (_cut) { client.Client.LingerState = new LingerOption(true, 0); client.Dispose(); continue; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_upstreamHost, _upstreamPort, _stop.Token);
            lock (_open) { _open.Add(client); _open.Add(upstream); }
            var a = client.GetStream().CopyToAsync(upstream.GetStream(), _stop.Token);
            var b = LoseReplies ? DropReplyAsync(upstream, client) : upstream.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            await Task.WhenAny(a, b);
        }
        catch (Exception)
        {
            // A cut or a closed side: both ends go.
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task DropReplyAsync(TcpClient upstream, TcpClient client)
    {
        _ = await upstream.GetStream().ReadAsync(new byte[1], _stop.Token); // any byte of the answer: it is on its way
        client.Client.LingerState = new LingerOption(true, 0);
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        return ValueTask.CompletedTask;
    }
}
