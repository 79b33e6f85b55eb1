using MySign.Assistant;
using JasperFx;
using JasperFx.CodeGeneration;
using Marten;
using MySign.Accounts;
using MySign.Billing;
using MySign.Certificates;
using MySign.TrustServices;
using MySign.RemoteSigning;
using MySign.History;
using MySign.Kernel.Localization;
using MySign.Kernel.Mail;
using MySign.Kernel.Operations;
using MySign.Kernel.Web;
using MySign.Otp;
using MySign.Renewal;
using MySign.Web.Infrastructure;
using MySign.Web.Shell;
using Npgsql;
using Serilog;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Http;
using Wolverine.Marten;

var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;

// No Server header: nothing tells an attacker what runs the site. Bodies are limited on the bytes that arrive
// (chunked ones too): a document to sign is the largest thing anyone sends; form fields are short.
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxRequestBodySize = Limits.MaxRequestBody;
});
builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form =>
{
    form.MultipartBodyLengthLimit = Limits.MaxRequestBody;
    form.ValueLengthLimit = Limits.MaxFormValue;
    form.ValueCountLimit = 200;
    form.KeyLengthLimit = 200;
});
builder.Host.UseSerilog((context, services, logging) => Logging.Configure(context, services, logging));

var connectionString = Database.ConnectionString(configuration);
builder.Services.AddSingleton(TimeProvider.System);
// SIGTERM (fly.io's kill_signal): stop taking requests, finish the ones in flight and let Wolverine drain its local
// queues within fly.toml's kill_timeout (30 s); what is left stays in the durable inbox for the other nodes.
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = configuration.GetValue("Host:ShutdownTimeout", TimeSpan.FromSeconds(25)));
builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));

// Wolverine code is generated ahead of time (`make codegen`) into Internal/Generated and loaded
// statically: no compiler at run time, no first-request compile.
builder.Services.CritterStackDefaults(defaults =>
{
    defaults.Production.GeneratedCodeMode = TypeLoadMode.Static;
    defaults.Production.AssertAllPreGeneratedTypesExist = true;
    defaults.Production.ResourceAutoCreate = AutoCreate.None;
    defaults.Development.GeneratedCodeMode = TypeLoadMode.Static;
    defaults.Development.AssertAllPreGeneratedTypesExist = true;
    defaults.Development.ResourceAutoCreate = AutoCreate.CreateOrUpdate;
});

var marten = builder.Services.AddMarten(Storage.Configure)
    .UseNpgsqlDataSource()
    .UseLightweightSessions()
    .IntegrateWithWolverine(wolverine => wolverine.MessageStorageSchemaName = "wolverine");
if (Database.AppliesSchemaOnStart(configuration, builder.Environment))
{
    marten.ApplyAllDatabaseChangesOnStartup();
    // Before any module's start work reads them: an older database's CA and remote signing documents move to their schemas first.
    builder.Services.AddHostedService<SchemaSplitOnStart<TrustServicesSplit>>();
    builder.Services.AddHostedService<SchemaSplitOnStart<RemoteSigningSplit>>();
}
// Release migrations, run by `resources setup` (fly.toml's release command).
MySign.Kernel.Operations.ReleaseStep.Add<TrustServicesSplit>(builder.Services, "TrustServices split (release migration)",
    "Moves the CA's documents from the certificates schema to trustservices, once (docs/adr/0020).");
MySign.Kernel.Operations.ReleaseStep.Add<RemoteSigningSplit>(builder.Services, "RemoteSigning split (release migration)",
    "Moves the CSC API's, OAuth's and Sign a document's documents from the certificates schema to remotesigning, once (docs/adr/0021).");

// Registered on the service collection (not the host) so it starts before DemoSeeding below.
builder.Services.AddWolverine(options =>
{
    options.ApplicationAssembly = typeof(Program).Assembly;
    foreach (var module in Modules.Assemblies) options.Discovery.IncludeAssembly(module);
    options.Durability.MessageStorageSchemaName = "wolverine";
    // One node (make run, a single machine): it owns every persisted envelope at start, so what a crashed run
    // left in the inbox/outbox is processed at once. Several nodes leave it Balanced (the default).
    if (string.Equals(configuration["Wolverine:Mode"], "Solo", StringComparison.OrdinalIgnoreCase))
        options.Durability.Mode = DurabilityMode.Solo;
    // How fast a cluster notices a dead node and hands its durable messages to another: the shipped values give a
    // takeover within 20 s (no health check for 10 s, then the next 2 s reassignment poll; README, ClusterTests
    // measures it). Wolverine's own defaults (a minute of silence) left a dead node's mail waiting 62-78 s.
    var durability = options.Durability;
    durability.HealthCheckPollingTime = configuration.GetValue("Wolverine:HealthCheckPollingTime", TimeSpan.FromSeconds(2));
    durability.StaleNodeTimeout = configuration.GetValue("Wolverine:StaleNodeTimeout", TimeSpan.FromSeconds(10));
    durability.NodeReassignmentPollingTime = configuration.GetValue("Wolverine:NodeReassignmentPollingTime", TimeSpan.FromSeconds(2));
    durability.ScheduledJobPollingTime = configuration.GetValue("Wolverine:ScheduledJobPollingTime", TimeSpan.FromSeconds(2));
    durability.CheckAssignmentPeriod = configuration.GetValue("Wolverine:CheckAssignmentPeriod", TimeSpan.FromSeconds(5));
    options.MultipleHandlerBehavior = MultipleHandlerBehavior.Separated;
    options.AddCertificateSchedules();
    options.AddTrustServiceSchedules(configuration);
    options.AddRenewalSchedules(configuration);
    options.AddRateWindowSchedule();
    options.AddBillingSchedules(configuration);
    options.Policies.AutoApplyTransactions();
    options.Policies.UseDurableLocalQueues();
    options.Policies.UseDurableInboxOnAllListeners();
    options.Policies.UseDurableOutboxOnAllSendingEndpoints();
    options.Policies.OnException<ConcurrencyException>().RetryTimes(5);
    // A mail relay or SMS operator that is briefly away: try again a little later rather than give the message up.
    // The database briefly away is the same: a message that writes a revocation must not go to the dead letters for it.
    options.Policies.OnException<System.Net.Sockets.SocketException>().Or<IOException>().Or<TimeoutException>().Or<NpgsqlException>(e => e.IsTransient)
        .Or<MailKit.ProtocolException>().Or<MailKit.ServiceNotConnectedException>()
        .Or<PartyAwayException>()
        .RetryWithCooldown(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30))
        .Then.ScheduleRetry(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));
});

builder.Services.AddAccounts(configuration);
builder.Services.AddCertificates();
builder.Services.AddTrustServices();
builder.Services.AddRemoteSigning();
builder.Services.AddOtp(configuration);
builder.Services.AddHistory();
builder.Services.AddRenewal();
builder.Services.AddAssistant();
builder.Services.AddBilling(configuration);

builder.Services.Configure<SmtpOptions>(configuration.GetSection("Smtp"));
// The TSP's identity for mails and letterheads: its Tsp settings, else the invoices' seller (never the demo company).
builder.Services.AddOptions<MySign.Kernel.Brand.TspOptions>().Bind(configuration.GetSection("Tsp"))
    .PostConfigure(tsp => TspIdentity.FromRelease(tsp, configuration));
builder.Services.AddSingleton<MailSender>();
builder.Services.AddSingleton<PortalUrl>();
builder.Services.AddSingleton<IPageLayout, PageLayout>();
builder.Services.AddSharedDataProtection(configuration);
builder.Services.AddAuthorization(options => options.DefaultPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(Holder.Scheme)
    .RequireAuthenticatedUser()
    .RequireAssertion(c => c.Resource is HttpContext http && Holder.MayEnter(c.User, http))
    .Build());
builder.Services.AddPortalRateLimits(configuration);
builder.Services.AddObservability();
builder.Services.AddWolverineHttp();
Web.AddAntiforgery(builder.Services, configuration);
if (Database.AppliesSchemaOnStart(configuration, builder.Environment)) builder.Services.AddHostedService<ApplyCatalogueOnStart>();
// Demo data only where it is wanted (Development, tests, the benchmark): otherwise nothing of MySign.Dev is registered or run.
if (configuration.GetValue("Demo:Seed", builder.Environment.IsDevelopment())) AddDemo(builder.Services);

Strings.Load(Modules.Assemblies.Prepend(typeof(Strings).Assembly).Append(typeof(Program).Assembly));

var app = builder.Build();
// Settings Production cannot run without are checked now, before anything is served.
app.Services.GetRequiredService<PortalUrl>();

if (configuration.GetValue("Network:TrustForwardedFor", false)) app.UseForwardedHeaders();
// The request line is written outside the error handler, so it carries the status the client got (400, 503…).
app.UseMiddleware<CorrelationId>();
app.UseSerilogRequestLogging(Logging.ConfigureRequestLogging);
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandlingPath = "/error/500",
    // A broken request or a database outage is answered and counted, not logged as an unhandled exception.
    SuppressDiagnosticsCallback = context => Failures.Expected(context.Exception),
});
app.UseStatusCodePagesWithReExecute("/error/{0}");
app.UseMiddleware<SecurityHeaders>();
app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = static c => c.Context.Response.Headers.CacheControl = "public, max-age=3600" });
app.UseRequestLocalization(Web.Localization());
app.UseAuthentication();
app.UseAuthorization();
app.UseMiddleware<AddressLimits>();
app.UseMiddleware<NulCharacters>();
app.UseMiddleware<AntiforgeryCheck>();
app.MapWolverineEndpoints(http =>
{
    http.RequireAuthorizeOnAll();
    // The request's X-Correlation-Id reaches the messages of every endpoint, also those that only return them.
    http.ApplyCorrelationIdHeaderToAllEndpoints = true;
});
app.MapMetrics();

// Without arguments the portal serves, as JasperFx's default "run" command would, but without printing its scan of the
// assemblies for commands; the operator commands (resources, ca-ceremony, keys-status, …) go through JasperFx.
if (args.Length == 0)
{
    await app.RunAsync();
    return 0;
}
return await app.RunJasperFxCommands(args);

// Its own method, so the host's start-up code refers to MySign.Dev only on the path that wants it.
[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
static void AddDemo(IServiceCollection services) => MySign.Dev.DemoModule.AddDemo(services);

public partial class Program;
