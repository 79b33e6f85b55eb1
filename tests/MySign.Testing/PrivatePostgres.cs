using System.Diagnostics;

namespace MySign.Testing;

/// <summary>
/// A PostgreSQL server of a test's own (Debian's binaries, a throwaway cluster under /var/tmp, a free port), so the
/// test can stop and restart it for real without touching the server every other test uses.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _home = Path.Combine("/var/tmp", "mysign-pg-test-" + Guid.NewGuid().ToString("N")[..12]);
    public int Port { get; } = SmtpServer.FreePort();
    /// <summary>The server's maintenance database, as <see cref="TestDatabase.CreateAsync"/> takes it.</summary>
    public string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Database=postgres;Username=mysign";
    private string Data => Path.Combine(_home, "data");

    private static string Bin => Directory.GetDirectories("/usr/lib/postgresql").OrderBy(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Last() + "/bin";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var server = new PrivatePostgres();
        Directory.CreateDirectory(server._home);
        if (Environment.UserName == "root") await RunAsync("chown", "postgres:postgres", server._home);
        await server.AsServerUserAsync("initdb", "-D", server.Data, "-U", "mysign", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        await server.StartServerAsync();
        return server;
    }

    public Task StartServerAsync() => AsServerUserAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_home, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_home} -c max_connections=200", "start");

    /// <summary>A fast shutdown: connections are cut, as in a restart or a failover.</summary>
    public Task StopServerAsync() => AsServerUserAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    private Task AsServerUserAsync(string program, params string[] arguments) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(Bin, program), .. arguments]) : RunAsync(Path.Combine(Bin, program), arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        try { await AsServerUserAsync("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop"); } catch (InvalidOperationException) { /* already stopped */ }
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
