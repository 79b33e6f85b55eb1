using System.Reflection;
using Shouldly;
using Xunit;

namespace MySign.ArchitectureTests;

/// <summary>
/// Key custody has one door (docs/adr/0015): MySign.Custody is the only code that talks PKCS#11 to the token.
/// </summary>
public sealed class CustodyTests
{
    /// <summary>Every assembly of ours the host ships, read from the build output (so a new project is covered without editing this).</summary>
    public static Assembly[] Ours() =>
        Directory.GetFiles(AppContext.BaseDirectory, "MySign.*.dll")
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Where(name => !name.EndsWith("Tests", StringComparison.Ordinal) && name != "MySign.Testing")
            .Select(name => Assembly.Load(name))
            .ToArray();

    public static string[] ReferencingPkcs11() =>
        Ours().Where(a => a.GetReferencedAssemblies().Any(r => r.Name == "Pkcs11Interop")).Select(a => a.GetName().Name!).OrderBy(n => n).ToArray();

    [Fact]
    public void only_the_custody_library_references_pkcs11interop()
    {
        Ours().Length.ShouldBeGreaterThan(10, "the host's assemblies were found");
        // The canary: the rule sees the one assembly that does reference it.
        ReferencingPkcs11().ShouldBe(["MySign.Custody"], "PKCS#11 is reached only through MySign.Custody");
    }

    /// <summary>
    /// What opens or uses a holder's key: the token's holder-key operations, the seal under the PIN, the PIN check that opens
    /// it, and the grants sealed under a SAD.
    /// </summary>
    public static readonly string[] HolderKeyOperations =
    [
        "MySign.Custody.HolderKeys", "MySign.Certificates.Custody.KeyVault", "MySign.Certificates.Custody.PinCheck", "MySign.Certificates.Custody.SadGrants",
    ];

    public const string SignatureActivationModule = "MySign.Certificates.Custody";

    public static string[] ReachingHolderKeys(Assembly assembly) =>
        NetArchTest.Rules.Types.InAssembly(assembly).That().DoNotResideInNamespace(SignatureActivationModule).And().DoNotResideInNamespace("MySign.Custody")
            .ShouldNot().HaveDependencyOnAny(HolderKeyOperations).GetResult().FailingTypeNames?.ToArray() ?? [];

    [Fact]
    public void only_the_signature_activation_module_reaches_a_holder_s_key()
    {
        Ours().SelectMany(ReachingHolderKeys).ShouldBeEmpty("every door to a holder's key goes through Certificates/Custody (SignatureActivation, SadActivation)");
        // The canary: the module itself does depend on them, and the rule sees it.
        var module = NetArchTest.Rules.Types.InAssembly(typeof(Certificates.CertificatesModule).Assembly).That().ResideInNamespace(SignatureActivationModule)
            .ShouldNot().HaveDependencyOnAny(HolderKeyOperations).GetResult();
        module.FailingTypeNames.ShouldContain("MySign.Certificates.Custody.SignatureActivation");
    }
}
