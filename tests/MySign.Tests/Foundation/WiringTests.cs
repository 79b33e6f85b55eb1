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
        handled.ShouldContain("MySign.Billing.Contracts.GetProductPrice");
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
