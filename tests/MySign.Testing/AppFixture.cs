using Alba;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Xunit;

namespace MySign.Testing;

/// <summary>
/// The real host (Program) in memory over a fresh real PostgreSQL database, with demo data seeded.
/// Share one per test collection; tests create their own data where they change it.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    /// <summary>The test database, for waiting on the app's durable queues (<see cref="AppClock.MessagesSettledAsync"/>).</summary>
    public string ConnectionString => _database!.ConnectionString;
    public IAlbaHost Host { get; private set; } = null!;
    public SmtpServer Smtp { get; } = new();
    /// <summary>Requests this app logged as unhandled 500s (none, ever: a broken request is a 4xx, an outage a 503).</summary>
    public LoggedErrors LoggedErrors { get; } = new();

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    /// <summary>What the bank-statement integration authenticates with in tests.</summary>
    public const string BankImportToken = "test-bank-import-token";

    /// <summary>What SdI's answers (through the PEC mailbox's forwarding or an intermediary) are posted with in tests.</summary>
    public const string SdiWebhookToken = "test-sdi-webhook-token";

    public async Task InitializeAsync()
    {
        await Smtp.StartAsync();
        _database = await TestDatabase.CreateAsync();
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(web =>
        {
            web.UseEnvironment("Development");
            web.UseSetting("ConnectionStrings:Postgres", _database.ConnectionString);
            web.UseSetting("Demo:Seed", "true");
            web.UseSetting("Sessions:SecureCookies", "false");
            web.UseSetting("Smtp:Host", "127.0.0.1");
            web.UseSetting("Smtp:Port", Smtp.Port.ToString());
            web.UseSetting("Smtp:Maildir", Smtp.Maildir);
            web.UseSetting("Logging:Serilog:MinimumLevel", "Warning");
            web.UseSetting("Portal:BaseUrl", "http://localhost");
            web.UseSetting("Billing:Payments:BankImportToken", BankImportToken);
            // The sandbox SdI answers a second after a file arrives; files still queued are swept every second.
            web.UseSetting("Billing:Sdi:SandboxDelay", "00:00:01");
            web.UseSetting("Billing:Sdi:SweepCron", "* * * * * *");
            web.UseSetting("Billing:Sdi:WebhookToken", SdiWebhookToken);
            web.UseSetting("Wolverine:ScheduledJobPollingTime", "00:00:01");
            // Each PortalClient comes from its own address (X-Forwarded-For), as different browsers would.
            web.UseSetting("Network:TrustForwardedFor", "true");
            // The per-address limits keep their counts but turn over in 10 s, so a test can watch one lift.
            web.UseSetting("RateLimits:Window", "00:00:10");
            web.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.AddSingleton<Serilog.Core.ILogEventSink>(LoggedErrors);
                services.DisableAllExternalWolverineTransports();
            });
        });
        await AddPromoCodesAsync();
    }

    /// <summary>The promotional codes the store tests use (an operator makes them with promo-add; here, test data).</summary>
    private async Task AddPromoCodesAsync()
    {
        await using var session = Store.LightweightSession();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        session.Store(new Billing.Domain.PromoCode { Id = "WELCOME10", Percent = 10, ValidFrom = today.AddDays(-1), ValidUntil = today.AddYears(1), MaxUses = 1000 });
        session.Store(new Billing.Domain.PromoCode { Id = "FIVEOFF", Amount = 5, ValidFrom = today.AddDays(-1), ValidUntil = today.AddYears(1), MaxUses = 1000 });
        await session.SaveChangesAsync();
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects, sends the antiforgery token it last saw.</summary>
    public PortalClient Client() => new(Host.Server.CreateHandler());

    public async Task DisposeAsync()
    {
        LoggedErrors.Record("app", LoggedErrors.Seen);
        await Host.DisposeAsync();
        if (_database is not null)
        {
            await Tokens.ForgetDeploymentAsync(_database.ConnectionString);
            await _database.DisposeAsync();
        }
        await Smtp.DisposeAsync();
    }
}

