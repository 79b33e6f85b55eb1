using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace MySign.Kernel.Localization;

/// <summary>
/// The one localisation mechanism: every visible string is a key looked up in the current UI
/// culture's catalogue. Each assembly embeds Resources/en.json and Resources/it.json; the host
/// registers the assemblies at start. A missing key renders as the key itself, so it is visible.
/// </summary>
public static class Strings
{
    public static readonly string[] Languages = ["en", "it"];
    private static FrozenDictionary<string, FrozenDictionary<string, string>> _catalogues =
        FrozenDictionary<string, FrozenDictionary<string, string>>.Empty;

    public static string Language =>
        CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en";

    public static void Load(IEnumerable<Assembly> assemblies)
    {
        var merged = Languages.ToDictionary(l => l, _ => new Dictionary<string, string>());
        foreach (var assembly in assemblies.Distinct())
        foreach (var language in Languages)
        foreach (var (key, value) in Read(assembly, language))
        {
            if (!merged[language].TryAdd(key, value))
                throw new InvalidOperationException($"String key '{key}' ({language}) is defined twice.");
        }
        _catalogues = merged.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenDictionary());
    }

    /// <summary>The keys of one language (for the parity test).</summary>
    public static IReadOnlyCollection<string> Keys(string language) => _catalogues[language].Keys;

    public static IReadOnlyDictionary<string, string> Read(Assembly assembly, string language)
    {
        var name = assembly.GetManifestResourceNames().SingleOrDefault(r => r.EndsWith($".Resources.{language}.json", StringComparison.Ordinal));
        if (name is null) return new Dictionary<string, string>();
        using var stream = assembly.GetManifestResourceStream(name)!;
        return JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
               ?? throw new InvalidOperationException($"{name} is empty.");
    }

    public static string T(string key) => T(key, Language);

    public static string T(string key, string language) =>
        _catalogues.TryGetValue(language, out var catalogue) && catalogue.TryGetValue(key, out var value) ? value : key;

    public static string Format(string key, params object?[] args) =>
        string.Format(CultureInfo.CurrentCulture, T(key), args);
}
