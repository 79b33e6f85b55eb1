using System.Collections.Concurrent;
using System.Reflection;
using Scriban;
using Scriban.Runtime;
using MySign.Kernel.Localization;

namespace MySign.Kernel.Rendering;

/// <summary>
/// Parsed templates embedded in each module's assembly (files ending in .sbn), parsed once and cached.
/// A template is named by its path inside its project, e.g. "Portal/CertificateBox".
/// </summary>
public static partial class Templates
{
    private static readonly ConcurrentDictionary<(Assembly, string, string), Template> Cache = new();

    /// <summary>The template for the current language.</summary>
    public static Template Get(Assembly assembly, string name) =>
        Cache.GetOrAdd((assembly, name, Strings.Language), static key => Load(key.Item1, key.Item2, key.Item3));

    // {{ t "some.key" }} with a literal key: resolved once per language when the template is parsed,
    // so a render calls no function for static text (the bulk of a page's strings).
    [System.Text.RegularExpressions.GeneratedRegex("""\{\{\s*t\s+"([a-z0-9_.]+)"\s*\}\}""")]
    private static partial System.Text.RegularExpressions.Regex StaticText();

    private static Template Load(Assembly assembly, string name, string language)
    {
        var suffix = "." + name.Replace('/', '.') + ".sbn";
        var resource = assembly.GetManifestResourceNames().SingleOrDefault(r => r.EndsWith(suffix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Template '{name}' is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        var source = StaticText().Replace(reader.ReadToEnd(), m => System.Net.WebUtility.HtmlEncode(Strings.T(m.Groups[1].Value, language)));
        var template = Template.Parse(source, resource);
        if (template.HasErrors)
            throw new InvalidOperationException($"Template {resource}: {string.Join("; ", template.Messages)}");
        return template;
    }

    /// <summary>Renders with a fresh escaping context; <paramref name="globals"/> become top-level variables.</summary>
    public static string Render(Template template, IReadOnlyDictionary<string, object?> globals)
    {
        // Scriban's standard builtins are built once and shared (read-only); building them per render
        // was the larger part of a page's rendering cost.
        var context = new HtmlTemplateContext(SharedBuiltins) { LoopLimit = 10_000, StrictVariables = false };
        context.PushGlobal(Builtins);
        var scope = new ScriptObject();
        foreach (var (key, value) in globals) scope[key] = value;
        context.PushGlobal(scope);
        return template.Render(context);
    }

    private static readonly ScriptObject SharedBuiltins = TemplateContext.GetDefaultBuiltinObject();

    /// <summary>Functions every template may call: t (translate), tf (translate with arguments), dates and numbers.</summary>
    private static readonly ScriptObject Builtins = CreateBuiltins();

    private static ScriptObject CreateBuiltins()
    {
        var builtins = new ScriptObject();
        builtins.Import(typeof(TemplateFunctions));
        return builtins;
    }
}

/// <summary>Imported into every template (Scriban names them t, tf, date, datetime, day, number).</summary>
public static class TemplateFunctions
{
    public static string T(string key) => Strings.T(key);
    public static string Tf(string key, object? a = null, object? b = null, object? c = null) => Strings.Format(key, a, b, c);
    /// <summary>Dates are shown in the portal's time zone (Italy) in the reader's format, e.g. 01/02/2029.</summary>
    public static readonly TimeZoneInfo PortalTimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome");

    public static string Date(DateTimeOffset? value) =>
        value is { } v ? TimeZoneInfo.ConvertTime(v, PortalTimeZone).ToString("d", System.Globalization.CultureInfo.CurrentCulture) : "";

    public static string Datetime(DateTimeOffset? value) =>
        value is { } v ? TimeZoneInfo.ConvertTime(v, PortalTimeZone).ToString("g", System.Globalization.CultureInfo.CurrentCulture) : "";

    /// <summary>A calendar day (no time zone), in the reader's format.</summary>
    public static string Day(DateOnly? value) => value?.ToString("d", System.Globalization.CultureInfo.CurrentCulture) ?? "";

    public static string Number(long value) => value.ToString("N0", System.Globalization.CultureInfo.CurrentCulture);
}
