using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Runtime;

namespace MySign.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class WiringTests(AppFixture app)
{
    [Fact]
    public void wolverine_loads_pre_generated_code_and_finds_every_modules_handlers()
    {
        var runtime = app.Host.Services.GetRequiredService<IWolverineRuntime>();
        runtime.Options.CodeGeneration.TypeLoadMode.ShouldBe(TypeLoadMode.Static);
        var handled = ((WolverineRuntime)runtime).Handlers.AllChains().Select(c => c.MessageType.FullName!).ToList();
        handled.ShouldContain("MySign.Certificates.Contracts.CertificateIssued");
        handled.ShouldContain("MySign.History.Contracts.SignatureMade");
        handled.ShouldContain("MySign.Otp.Contracts.OtpPhoneRegistered");
        handled.ShouldContain("MySign.Certificates.Contracts.CertificateStatusChanged");
        handled.ShouldContain("MySign.Renewal.Contracts.RenewalCompleted");
    }

    /// <summary>
    /// A message sent with PublishAsync, or returned by a renewal decision, that nothing handles is a promise nobody
    /// keeps (Wolverine drops it quietly): every such message in the modules' code has a handler.
    /// </summary>
    [Fact]
    public void every_published_message_has_a_handler()
    {
        var runtime = (WolverineRuntime)app.Host.Services.GetRequiredService<IWolverineRuntime>();
        var handled = runtime.Handlers.AllChains().Select(c => c.MessageType.Name).ToHashSet();
        var modules = Path.Combine(AppProcess.RepositoryRoot(), "modules");
        var published = Directory.EnumerateFiles(modules, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f),
                @"(?:PublishAsync\(new |messages\.Add\(new |List<object> \{ new |Next\(request, [^\n]*?, new )([A-Z][A-Za-z]+)\(").Select(m => m.Groups[1].Value))
            .ToHashSet();
        published.ShouldContain("CertificateStatusChanged");
        published.ShouldContain("LandOnNextSignIn");
        published.Where(m => !handled.Contains(m)).ShouldBeEmpty();
    }

    [Fact]
    public void every_module_serves_its_endpoints_through_wolverine()
    {
        var routes = app.Host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText!).ToList();
        routes.ShouldContain("/login");
        routes.ShouldContain("/portal/boxes/certificate");
        routes.ShouldContain("/portal/boxes/otp");
        routes.ShouldContain("/portal/boxes/history");
        routes.ShouldContain("/portal/boxes/renewal");
        routes.ShouldContain("/health");
    }
}
