using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace MySign.Testing;

/// <summary>
/// Watches what an app under test logs for the one thing a suite must never cause: a request answered 500 (any 5xx
/// but the outage's 503) or an exception the error handler did not expect. A broken form is a 4xx and a database
/// outage a 503; both are logged as such. What it saw is written, when the app stops, to the folder `make test` names
/// (MYSIGN_LOGGED_ERRORS), and scripts/test-summary.sh fails the run if anything is there.
/// </summary>
public sealed partial class LoggedErrors : ILogEventSink
{
    private readonly ConcurrentQueue<string> _seen = new();

    public IReadOnlyList<string> Seen => [.. _seen];

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Level < LogEventLevel.Error) return;
        var text = logEvent.RenderMessage();
        if (Unhandled(text)) _seen.Enqueue(text + (logEvent.Exception is { } e ? $" ({e.GetType().Name}: {e.Message})" : ""));
    }

    /// <summary>A request line with a 5xx other than 503, or the error handler's "unhandled exception".</summary>
    public static bool Unhandled(string line) =>
        ServerError().IsMatch(line) || line.Contains("An unhandled exception has occurred while executing the request");

    /// <summary>The request line as the console shows it in Development, or as Production's JSON carries it.</summary>
    [GeneratedRegex(@"HTTP \S+ \S+ responded 5(?!03)\d\d|responded \{StatusCode\}.*""StatusCode"":5(?!03)\d\d")]
    private static partial Regex ServerError();

    /// <summary>Appends what was seen to the suite's record (when `make test` asked for one).</summary>
    public static void Record(string app, IEnumerable<string> lines)
    {
        var folder = Environment.GetEnvironmentVariable("MYSIGN_LOGGED_ERRORS");
        var list = lines.ToList();
        if (string.IsNullOrEmpty(folder) || list.Count == 0) return;
        Directory.CreateDirectory(folder);
        File.AppendAllLines(Path.Combine(folder, $"{app}-{Guid.NewGuid():N}.log"), list);
    }
}
