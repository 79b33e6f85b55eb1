using System.Reflection;
using NetArchTest.Rules;
using Shouldly;
using Xunit;

namespace MySign.ArchitectureTests;

/// <summary>
/// The fence between modules. Wolverine needs handlers and messages public, so `internal` cannot keep
/// modules apart; this test does: a module may use another module's Contracts and nothing else of it.
/// </summary>
public sealed class ModuleBoundaryTests
{
    public static readonly Assembly[] Modules =
    [
        typeof(Accounts.AccountsModule).Assembly,
        typeof(Certificates.CertificatesModule).Assembly,
        typeof(TrustServices.TrustServicesModule).Assembly,
        typeof(RemoteSigning.RemoteSigningModule).Assembly,
        typeof(Otp.OtpModule).Assembly,
        typeof(History.HistoryModule).Assembly,
        typeof(Renewal.RenewalModule).Assembly,
        typeof(Billing.BillingModule).Assembly,
        typeof(Assistant.AssistantModule).Assembly,
    ];

    public static TheoryData<string, string> ModulePairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var user in Modules)
        foreach (var owner in Modules.Where(m => m != user))
            data.Add(user.GetName().Name!, owner.GetName().Name!);
        return data;
    }

    /// <summary>Full names of every type of <paramref name="owner"/> that is not in its Contracts namespace.</summary>
    public static string[] NonContractTypes(Assembly owner)
    {
        var contracts = owner.GetName().Name + ".Contracts";
        return owner.GetTypes()
            .Where(t => t.Namespace is not null && t.Namespace != contracts && !t.Namespace.StartsWith(contracts + ".", StringComparison.Ordinal))
            .Where(t => !t.Name.StartsWith('<'))
            // JasperFx's source generator writes the same command-line parser types into every assembly with commands.
            .Where(t => t.Namespace != "JasperFx.Generated")
            .Select(t => t.FullName!.Replace('+', '/'))
            .ToArray();
    }

    public static IReadOnlyList<string> Violations(Assembly user, Assembly owner)
    {
        var result = Types.InAssembly(user).ShouldNot().HaveDependencyOnAny(NonContractTypes(owner)).GetResult();
        return result.IsSuccessful ? [] : result.FailingTypeNames.ToList();
    }

    private static Assembly Named(string name) => Modules.Single(m => m.GetName().Name == name);

    [Theory]
    [MemberData(nameof(ModulePairs))]
    public void a_module_uses_only_the_contracts_of_another(string user, string owner) =>
        Violations(Named(user), Named(owner)).ShouldBeEmpty($"{user} reaches into {owner} outside its Contracts");

    [Fact]
    public void the_kernel_knows_no_module()
    {
        var result = Types.InAssembly(typeof(Kernel.Web.IPortalBox).Assembly).ShouldNot()
            .HaveDependencyOnAny(Modules.Select(m => m.GetName().Name!).ToArray()).GetResult();
        (result.FailingTypeNames ?? []).ShouldBeEmpty();
    }

    [Fact]
    public void the_rule_catches_a_real_violation()
    {
        // The host wires modules up through their registration classes, outside Contracts: the rule must see it.
        Violations(typeof(Web.Infrastructure.Modules).Assembly, Named("MySign.Accounts")).ShouldNotBeEmpty();
    }

    /// <summary>Each module's contracts project (MySign.X.Contracts), loaded from the host's output.</summary>
    public static Assembly[] ContractAssemblies() =>
        Modules.Select(m => Assembly.Load(m.GetName().Name + ".Contracts")).ToArray();

    /// <summary>A static class that holds only string constants: the addresses of a module's pages others may link to.</summary>
    private static bool PageConstants(Type type) =>
        type is { IsAbstract: true, IsSealed: true } && type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .All(m => m is FieldInfo { IsLiteral: true } field && field.FieldType == typeof(string));

    [Fact]
    public void contracts_are_projects_of_records_enums_and_page_constants_that_depend_on_nothing_of_ours()
    {
        var contracts = ContractAssemblies();
        contracts.Length.ShouldBe(9);
        foreach (var assembly in contracts)
        {
            var types = assembly.GetTypes().Where(t => t.IsPublic).ToList();
            types.ShouldNotBeEmpty();
            foreach (var type in types)
                (type.IsEnum || type.GetMethod("<Clone>$") is not null || PageConstants(type))
                    .ShouldBeTrue($"{type.FullName} should be a record (a message), an enum or a static class of page addresses");
            assembly.GetReferencedAssemblies().Select(r => r.Name!).Where(n => n.StartsWith("MySign", StringComparison.Ordinal) || n.StartsWith("Wolverine", StringComparison.Ordinal)
                || n.StartsWith("Marten", StringComparison.Ordinal)).ShouldBeEmpty($"{assembly.GetName().Name} must depend on nothing");
        }
    }

    [Fact]
    public void the_otp_client_knows_only_otps_contracts_and_the_bus()
    {
        // The requests to Otp written once (ADR 0003): extension methods over Otp's contracts, nothing of Otp itself.
        var client = typeof(Otp.Client.OtpRequests).Assembly;
        client.GetReferencedAssemblies().Select(r => r.Name!).Where(n => n.StartsWith("MySign", StringComparison.Ordinal) || n.StartsWith("Marten", StringComparison.Ordinal))
            .ShouldBe(["MySign.Otp.Contracts"]);
        client.GetTypes().Where(t => t.IsPublic).ShouldAllBe(t => t.IsAbstract && t.IsSealed, "only static request helpers");
        foreach (var module in Modules)
            module.GetReferencedAssemblies().Select(r => r.Name!).Where(n => n.StartsWith("MySign.", StringComparison.Ordinal) && n.EndsWith(".Client", StringComparison.Ordinal))
                .ShouldAllBe(n => n == "MySign.Otp.Client");
    }

    [Fact]
    public void a_module_references_other_modules_only_through_their_contracts_projects()
    {
        var names = Modules.Select(m => m.GetName().Name!).ToHashSet();
        foreach (var module in Modules)
            module.GetReferencedAssemblies().Select(r => r.Name!).Where(names.Contains).ShouldBeEmpty($"{module.GetName().Name} references a module, not its contracts");
    }

    [Fact]
    public void endpoint_classes_are_static()
    {
        foreach (var module in Modules.Append(typeof(Web.Infrastructure.Modules).Assembly))
        foreach (var type in module.GetTypes().Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                     .Any(m => m.GetCustomAttributes().Any(a => a.GetType().Namespace == "Wolverine.Http"))))
            (type.IsAbstract && type.IsSealed).ShouldBeTrue($"{type.FullName} holds endpoints and should be a static class");
    }

    [Fact]
    public void production_assemblies_hold_no_demo_data_and_no_benchmark_code()
    {
        var production = Modules.Append(typeof(Kernel.Web.HtmlView).Assembly).ToArray();
        foreach (var assembly in production)
        {
            assembly.GetReferencedAssemblies().Select(r => r.Name).ShouldNotContain("MySign.Dev", $"{assembly.GetName().Name} references the demo project");
            assembly.GetTypes().Select(t => t.FullName!).Where(n => n.Contains("Demo", StringComparison.Ordinal) || n.Contains(".Bench", StringComparison.Ordinal))
                .ShouldBeEmpty($"{assembly.GetName().Name} holds demo or benchmark code");
        }
        // The demo project does hold them: the seeders and the bench commands.
        var demo = typeof(Dev.DemoModule).Assembly.GetTypes().Select(t => t.Name).ToList();
        demo.ShouldContain("AccountsDemoSeeder");
        demo.ShouldContain("CscBenchCommand");
    }
}
