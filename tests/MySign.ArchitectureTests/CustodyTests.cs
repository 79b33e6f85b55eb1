using System.Reflection;
using Shouldly;
using Xunit;

namespace MySign.ArchitectureTests;

/// <summary>
/// Key custody has one door (docs/adr/0014): MySign.Custody is the only code that talks PKCS#11 to the token.
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
}
