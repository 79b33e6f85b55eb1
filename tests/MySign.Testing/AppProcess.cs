using System.Diagnostics;
using System.Text;

namespace MySign.Testing;

/// <summary>
/// The portal as a separate process on a random loopback port (Kestrel, as `make run` serves it), over its
/// own fresh database: what a browser test drives. Its output is kept for failure messages.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private Process? _process;
    private readonly StringBuilder _output = new();
    private TestDatabase? _database;
    public Uri BaseAddress { get; private set; } = null!;
    public string ConnectionString => _joined?.ConnectionString ?? _database!.ConnectionString;
    /// <summary>Set when this process is a second node on another one's database (which it does not drop).</summary>
    private AppProcess? _joined;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MySign.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("MySign.sln not found above " + AppContext.BaseDirectory);
    }

    private SmtpServer? _smtp;
    private Func<string, string>? _routeDatabase;
    private IDictionary<string, string>? _settings;

    /// <param name="routeDatabase">rewrites the app's connection string (e.g. through a <see cref="TcpProxy"/>).</param>
    /// <param name="releaseStep">runs fly.toml's release command (`resources setup`) on the new database first, as a deployment does, and the
    /// CA ceremony an operator runs once before the first release (`ca-ceremony`, with the root's token).</param>
    /// <param name="server">the PostgreSQL server to make the database on (a test's own), if not the suite's.</param>
    public async Task StartAsync(SmtpServer smtp, IDictionary<string, string>? settings = null, Func<string, string>? routeDatabase = null, bool releaseStep = false,
        string? server = null)
    {
        _database = await TestDatabase.CreateAsync("mysign_app", server);
        _routeDatabase = routeDatabase;
        BaseAddress = new Uri($"http://127.0.0.1:{SmtpServer.FreePort()}");
        (_smtp, _settings) = (smtp, settings);
        if (releaseStep)
        {
            foreach (var step in new[] { new[] { "resources", "setup" }, ["ca-ceremony"] })
            {
                var (exit, output) = await RunAsync(step);
                if (exit != 0) throw new InvalidOperationException($"The release step {string.Join(' ', step)} failed:\n" + output);
            }
        }
        await LaunchAsync();
    }

    /// <summary>Another node of the same portal: its own port and process, the first one's database.</summary>
    public async Task JoinAsync(AppProcess first, SmtpServer smtp, IDictionary<string, string>? settings = null)
    {
        _joined = first;
        BaseAddress = new Uri($"http://127.0.0.1:{SmtpServer.FreePort()}");
        (_smtp, _settings) = (smtp, settings);
        await LaunchAsync();
    }

    /// <summary>Runs the app's command line (e.g. `resources setup`, `rao-add`) with the app's settings; its exit code and output.</summary>
    public Task<(int Exit, string Output)> RunAsync(params string[] arguments) => RunWithInputAsync(null, arguments);

    /// <summary>The same, with <paramref name="input"/> on standard input (a password, as an operator would pipe it).</summary>
    public async Task<(int Exit, string Output)> RunWithInputAsync(string? input, params string[] arguments)
    {
        var start = StartInfo(arguments);
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        if (input is not null) await process.StandardInput.WriteLineAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// The app's command line run as an operator runs it, against any portal's database (an in-memory host's included):
    /// Development, no demo seed, nothing else configured. Its exit code and output.
    /// </summary>
    public static async Task<(int Exit, string Output)> CommandAsync(string connectionString, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MySign.Web.dll"), .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__Postgres"] = connectionString;
        start.Environment["Demo__Seed"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>kill -9: no shutdown code runs, whatever was in memory is gone.</summary>
    public async Task KillAsync()
    {
        _process!.Kill(true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the app again on the same database and port.</summary>
    public Task RestartAsync() => LaunchAsync();

    private async Task LaunchAsync()
    {
        var start = StartInfo([]);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start };
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
            if (e.Data.Contains("Application started")) ready.TrySetResult();
        };
        _process.OutputDataReceived += collect;
        _process.ErrorDataReceived += collect;
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Two minutes: a start is slow, not wrong, when the machine is shaken (stress-ng and other suites on two cores took
        // a second node past one minute); a refusal to start ends the wait at once with its reason.
        var finished = await Task.WhenAny(ready.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
        if (finished == ready.Task) return;
        // Exited: the synchronous wait returns only once the last output line was read, so the refusal is in the message.
        if (_process.HasExited) _process.WaitForExit();
        throw new InvalidOperationException("The app did not start:\n" + Output);
    }

    private ProcessStartInfo StartInfo(string[] arguments)
    {
        var smtp = _smtp!;
        var settings = _settings;
        // As `make run` starts it: the content root from the environment, and no argument unless a command is asked for.
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "MySign.Web.dll"), .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development", ["ASPNETCORE_URLS"] = BaseAddress.ToString(),
            ["ASPNETCORE_CONTENTROOT"] = Path.Combine(RepositoryRoot(), "src", "MySign.Web"),
            ["ConnectionStrings__Postgres"] = _routeDatabase?.Invoke(ConnectionString) ?? ConnectionString, ["Demo__Seed"] = "true",
            ["Sessions__SecureCookies"] = "false", ["Smtp__Host"] = "127.0.0.1", ["Smtp__Port"] = smtp.Port.ToString(),
            ["Smtp__Maildir"] = smtp.Maildir, ["Portal__BaseUrl"] = BaseAddress.ToString().TrimEnd('/'),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return start;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        LoggedErrors.Record("process", Output.Split('\n').Where(LoggedErrors.Unhandled));
        if (_database is not null)
        {
            await Tokens.ForgetDeploymentAsync(_database.ConnectionString);
            await _database.DisposeAsync();
        }
    }
}
