using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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
        handled.ShouldContain("MySign.Otp.Contracts.RegisterOtpPhone");
        handled.ShouldContain("MySign.Certificates.Contracts.CertificateStatusChanged");
        handled.ShouldContain("MySign.Renewal.Contracts.RenewalCompleted");
    }

    /// <summary>
    /// A contract nobody keeps is a promise Wolverine drops quietly. Every message type in a module's contracts is handled
    /// by some module, or is an answer a handler returns, or is a part of another contract (a row of an answer, an enum
    /// of a message), or a value folded from handled messages: read by reflection from the contracts assemblies and the handler chains Wolverine built.
    /// </summary>
    [Fact]
    public void every_contract_message_has_a_handler_or_is_an_answer_or_a_part()
    {
        var runtime = (WolverineRuntime)app.Host.Services.GetRequiredService<IWolverineRuntime>();
        var chains = runtime.Handlers.AllChains().ToList();
        var handled = chains.Select(c => c.MessageType).ToHashSet();
        var answered = chains.SelectMany(c => c.Handlers).SelectMany(h => Named(h.Method.ReturnType)).ToHashSet();
        var contracts = Web.Infrastructure.Modules.Assemblies
            .Select(m => System.Reflection.Assembly.Load(m.GetName().Name + ".Contracts")).ToList();
        var types = contracts.SelectMany(a => a.GetExportedTypes()).ToList();
        var parts = types.SelectMany(t => t.GetProperties().SelectMany(p => Named(p.PropertyType))
            .Concat(t.GetConstructors().SelectMany(c => c.GetParameters()).SelectMany(p => Named(p.ParameterType)))).ToHashSet();
        var messages = types.Where(t => t is { IsClass: true, IsAbstract: false } && t.GetMethod("<Clone>$") is not null).ToList();

        messages.ShouldContain(typeof(MySign.Certificates.Contracts.CertificateStatusChanged));
        handled.ShouldContain(typeof(MySign.Certificates.Contracts.CertificateStatusChanged));
        // A value folded from messages (what another module keeps of a certificate) takes a handled message in a method.
        bool Fold(Type t) => t.GetMethods().Any(m => m.GetParameters().Any(p => handled.Contains(p.ParameterType)));
        messages.Where(t => !handled.Contains(t) && !answered.Contains(t) && !parts.Contains(t) && !Fold(t)).Select(t => t.FullName)
            .ShouldBeEmpty("contract messages that no module handles, no handler returns and no contract carries");
    }

    /// <summary>A type and the types it is made of: Task&lt;T&gt;, T?, lists and tuples are seen through.</summary>
    private static IEnumerable<Type> Named(Type type)
    {
        yield return type;
        if (type.IsArray) foreach (var inner in Named(type.GetElementType()!)) yield return inner;
        if (!type.IsGenericType) yield break;
        foreach (var argument in type.GetGenericArguments())
        foreach (var inner in Named(argument))
            yield return inner;
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
