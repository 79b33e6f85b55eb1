using System.Diagnostics;
using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using Wolverine;


namespace MySign.Dev.Bench;

public sealed class OtpBenchInput : NetCoreInput
{
    [Description("How many holders (one challenge each)")]
    public int HoldersFlag { get; set; } = 3000;

    [Description("Parallel callers")]
    public int WorkersFlag { get; set; } = 16;
}

/// <summary>
/// `make bench` part: OTP issue and verify throughput through the Otp module's own messages, each a real
/// PostgreSQL round trip. An issue commits the challenge and its text's message; the text reaches the sandbox operator
/// just after, through the outbox (docs/adr/0022), and the verifications wait for all of them.
/// </summary>
[Description("Measures OTP issues and verifications per second against the database", Name = "otp-bench")]
public sealed class OtpBenchCommand : JasperFxAsyncCommand<OtpBenchInput>
{
    public override async Task<bool> Execute(OtpBenchInput input)
    {
        using var host = input.BuildHost();
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var run = Guid.NewGuid().ToString("N")[..6];
        var holders = Enumerable.Range(0, input.HoldersFlag).Select(i => (Id: $"b{run}{i}", Phone: $"+39{run.GetHashCode() & 0xffff:D5}{i:D6}")).ToList();
        await using (var session = store.LightweightSession())
        {
            foreach (var (id, phone) in holders) session.Store(new OtpSettings { Id = id, PhoneNumber = phone });
            await session.SaveChangesAsync();
        }

        var issued = new (string Holder, string Phone, Guid Challenge)[holders.Count];
        var issue = await Measure(holders.Count, input.WorkersFlag, async (i, bus) =>
        {
            var answer = await bus.InvokeAsync<OtpIssued>(new IssueOtp(holders[i].Id, "bench", "ctx"));
            issued[i] = (holders[i].Id, holders[i].Phone, answer.ChallengeId);
        }, host.Services);

        var prefix = holders[0].Phone[..8];
        var codes = await SandboxTexts.CodesAsync(store, s => s.To.StartsWith(prefix), holders.Count);
        var valid = 0;
        var verify = await Measure(issued.Length, input.WorkersFlag, async (i, bus) =>
        {
            var (holder, phone, challenge) = issued[i];
            var result = await bus.InvokeAsync<OtpVerified>(new VerifyOtp(challenge, holder, "bench", "ctx", codes[phone]));
            if (result.IsValid) Interlocked.Increment(ref valid);
        }, host.Services);

        Console.WriteLine($"otp issue: {issue.PerSecond:F0}/s p50 {issue.P50:F1} ms p99 {issue.P99:F1} ms ({holders.Count} codes, {input.WorkersFlag} callers)");
        Console.WriteLine($"otp verify: {verify.PerSecond:F0}/s p50 {verify.P50:F1} ms p99 {verify.P99:F1} ms ({valid}/{issued.Length} valid)");
        await host.StopAsync();
        return valid == issued.Length;
    }

    private sealed record Result(double PerSecond, double P50, double P99);

    private static async Task<Result> Measure(int count, int workers, Func<int, IMessageBus, Task> call, IServiceProvider services)
    {
        var latencies = new double[count];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            using var scope = services.CreateScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                await call(i, bus);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Result(count / seconds, latencies[count / 2], latencies[(int)(count * 0.99)]);
    }
}
