using System.Reflection;
using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace MySign.ArchitectureTests;

/// <summary>
/// A module links to or redirects into another module's pages only through the addresses that module publishes in
/// its contracts (CertificatePages, AccountPages, AssistantPages…): the owner can move a page without another module
/// silently pointing at nothing.
/// </summary>
public sealed partial class AddressOwnershipTests
{
    /// <summary>First route segment → the one module whose endpoints start with it (segments shared by modules, like /portal, are nobody's).</summary>
    private static Dictionary<string, string> OwnedSegments()
    {
        var owners = new Dictionary<string, HashSet<string>>();
        foreach (var module in ModuleBoundaryTests.Modules)
        foreach (var method in module.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
        foreach (var attribute in method.GetCustomAttributes().Where(a => a.GetType().Namespace == "Wolverine.Http"))
        {
            if (attribute.GetType().GetProperty("Template")?.GetValue(attribute) is not string template) continue;
            var segment = FirstSegment().Match(template);
            if (!segment.Success) continue;
            var name = module.GetName().Name!["MySign.".Length..];
            (owners.TryGetValue(segment.Value, out var set) ? set : owners[segment.Value] = []).Add(name);
        }
        return owners.Where(o => o.Value.Count == 1).ToDictionary(o => o.Key, o => o.Value.Single());
    }

    private static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MySign.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("MySign.sln not found");
    }

    /// <summary>Every quoted local address in a module's code and templates outside its Contracts that starts with another module's segment.</summary>
    public static List<string> ForeignAddresses()
    {
        var owned = OwnedSegments();
        var found = new List<string>();
        foreach (var directory in Directory.GetDirectories(Path.Combine(Root(), "modules")))
        {
            var module = Path.GetFileName(directory);
            var files = Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".sbn", StringComparison.Ordinal))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Contracts{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                            && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                            && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
            foreach (var file in files)
            foreach (Match address in QuotedAddress().Matches(File.ReadAllText(file)))
                if (owned.TryGetValue(address.Groups[1].Value, out var owner) && owner != module)
                    found.Add($"{Path.GetRelativePath(Root(), file)}: {address.Value} belongs to {owner}");
        }
        return found;
    }

    [Fact]
    public void the_routes_are_found()
    {
        var owned = OwnedSegments();
        owned["/renewal"].ShouldBe("Renewal");
        owned["/login"].ShouldBe("Accounts");
        owned["/trusty"].ShouldBe("Assistant");
    }

    [Fact]
    public void no_module_hard_codes_another_modules_address() => ForeignAddresses().ShouldBeEmpty();

    /// <summary>Message keys a module's code and templates name literally: t/tf, Strings.T/Format, and the kernel form pieces' label, hint and button options.</summary>
    [GeneratedRegex(""""(?:\{\{\s*tf?\s+|Strings\.(?:T|Format)\(|\bfield\s+"[^"]+"\s+|\b(?:hint|submit|cancel_label|back_label):\s*)"([a-z][a-z0-9_]*\.[a-z0-9_.]+)"""")]
    private static partial Regex NamedKey();

    private static HashSet<string> KeysIn(string resources) =>
        File.Exists(resources) ? System.Text.Json.JsonDocument.Parse(File.ReadAllText(resources)).RootElement.EnumerateObject().Select(p => p.Name).ToHashSet() : [];

    /// <summary>
    /// A module shows its own strings or the kernel's shared ones (Confirm, Send new OTP, field labels…), never another
    /// module's: what another module knows reaches it as a message's text, or through that module's own box.
    /// </summary>
    [Fact]
    public void no_module_reads_another_modules_strings()
    {
        var root = Root();
        var shared = KeysIn(Path.Combine(root, "src/MySign.Kernel/Resources/en.json"));
        var modules = Directory.GetDirectories(Path.Combine(root, "modules")).ToDictionary(d => Path.GetFileName(d)!, d => KeysIn(Path.Combine(d, "Resources/en.json")));
        modules.Count.ShouldBeGreaterThan(5);
        var found = new List<string>();
        foreach (var (module, own) in modules)
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "modules", module), "*.*", SearchOption.AllDirectories)
                     .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".sbn", StringComparison.Ordinal)) && !f.Contains("/obj/", StringComparison.Ordinal)))
        foreach (Match named in NamedKey().Matches(File.ReadAllText(file)))
        {
            var key = named.Groups[1].Value;
            if (own.Contains(key) || shared.Contains(key)) continue;
            if (modules.FirstOrDefault(m => m.Value.Contains(key)).Key is { } owner)
                found.Add($"{Path.GetRelativePath(root, file)}: \"{key}\" is {owner}'s");
        }
        found.ShouldBeEmpty();
    }

    [GeneratedRegex("^/[a-z0-9.-]+")]
    private static partial Regex FirstSegment();

    [GeneratedRegex("""["'](/[a-z0-9.-]+)(?=[/"'?{#])""")]
    private static partial Regex QuotedAddress();
}
