using Marten;
using Microsoft.Extensions.Hosting;
using MySign.Kernel.Web;
using MySign.Otp.Challenges;
using MySign.Otp.Codes;
using MySign.Otp.Domain;

namespace MySign.Dev;

/// <summary>
/// Development only: the demo TSP has provisioned one hardware token, as `otp-import-tokens` would, so "Use a hardware
/// token" can be tried. Made at every start when missing (a database seeded before the token existed gets it too);
/// never in another environment, where its seed, public in this repository, would be a factor anyone could use.
/// </summary>
public sealed class DemoTokenProvisioning(IDocumentStore store, OtpSecrets secrets, IHostEnvironment environment) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment()) return;
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<HardwareToken>(Demo.TokenSerial, cancellationToken) is not null) return;
        session.Store(new HardwareToken { Id = Demo.TokenSerial, Seed = secrets.Protect(Demo.TokenSeed) });
        await session.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The demo hardware token's display: the code it shows now, and who holds it, at the top of /dev/outbox.</summary>
public sealed class DemoTokenDisplay(IDocumentStore store, TimeProvider clock) : IDevOutboxSource
{
    public async Task<IReadOnlyList<OutboxItem>> RecentAsync(int count, CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        if (await session.LoadAsync<HardwareToken>(Demo.TokenSerial, cancellation) is not { } token) return [];
        var now = clock.GetUtcNow();
        var left = OneTimeCodes.TimeStepSeconds - now.ToUnixTimeSeconds() % OneTimeCodes.TimeStepSeconds;
        var code = OneTimeCodes.Totp(Demo.TokenSeed, now);
        var holder = token.AssignedTo is { } taken
            ? $" It is {taken}'s token now: another holder cannot take it. È ora il token di {taken}: un altro titolare non può prenderlo."
            : "";
        return [new(now, "Hardware token", Demo.TokenSerial, code,
            $"The demo hardware token {Demo.TokenSerial} shows {code} for {left} more seconds (reload for the next code). " +
            $"Il token hardware dimostrativo {Demo.TokenSerial} mostra {code} per altri {left} secondi.{holder}")];
    }
}
