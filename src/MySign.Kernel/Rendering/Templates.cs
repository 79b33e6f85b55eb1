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

    /// <summary>
    /// Renders with an escaping context; <paramref name="globals"/> become top-level variables, in a scope of
    /// their own that is dropped afterwards.
    /// </summary>
    public static string Render(Template template, IReadOnlyDictionary<string, object?> globals)
    {
        // A Scriban context costs about 21 KB and a few microseconds to build, and a page renders up to nine
        // templates, so each thread keeps one spare. A render takes it (a nested render builds its own) and
        // gives it back only when it finished cleanly: a failed render may leave its stacks unbalanced.
        var context = spare ?? NewContext();
        spare = null;
        var scope = new ScriptObject();
        foreach (var (key, value) in globals) scope[key] = value;
        context.PushGlobal(scope);
        var html = template.Render(context);
        context.PopGlobal();
        spare = context;
        return html;
    }

    [ThreadStatic] private static HtmlTemplateContext? spare;

    private static HtmlTemplateContext NewContext()
    {
        var context = new HtmlTemplateContext(SharedBuiltins) { LoopLimit = 10_000, StrictVariables = false };
        context.PushGlobal(Builtins);
        return context;
    }

    private static readonly ScriptObject SharedBuiltins = TemplateContext.GetDefaultBuiltinObject();

    /// <summary>Functions every template may call: t (translate), tf (translate with arguments), dates and numbers.</summary>
    private static readonly ScriptObject Builtins = CreateBuiltins();

    // Scriban calls a function imported from a .NET method by reflection and converts each argument by
    // reflection too; these are called directly with the arguments as they are.
    private static ScriptObject CreateBuiltins()
    {
        var builtins = new ScriptObject();
        builtins.SetValue("t", new Function<string>(1, 1, a => TemplateFunctions.T(Text(a[0]))), true);
        builtins.SetValue("tf", new Function<string>(1, 4, a => TemplateFunctions.Tf(Text(a[0]), Arg(a, 1), Arg(a, 2), Arg(a, 3))), true);
        builtins.SetValue("date", new Function<string>(1, 1, a => TemplateFunctions.Date(a[0])), true);
        builtins.SetValue("datetime", new Function<string>(1, 1, a => TemplateFunctions.Datetime(a[0])), true);
        builtins.SetValue("day", new Function<string>(1, 1, a => TemplateFunctions.Day(a[0])), true);
        builtins.SetValue("breakable", new Function<RawHtml>(1, 1, a => TemplateFunctions.Breakable(Text(a[0]))), true);
        builtins.SetValue("number", new Function<string>(1, 1, a => TemplateFunctions.Number(Convert.ToInt64(a[0] ?? 0L, System.Globalization.CultureInfo.InvariantCulture))), true);
        builtins.SetValue("antiforgery", new Function<RawHtml>(1, 1, a => Antiforgery(Text(a[0]))), true);
        builtins.SetValue("field", new Function<RawHtml>(2, 3, a => FormField.Render(Text(a[0]), Text(a[1]), Arg(a, 2) as IDictionary<string, object?>)), true);
        builtins.SetValue("confirm_step", new Function<RawHtml>(1, 1, a => ConfirmStep.Render(a[0] as IDictionary<string, object?> ?? new Dictionary<string, object?>())), true);
        builtins.SetValue("otp_field", new Function<RawHtml>(1, 6, a => ConfirmCode.Field(Text(a[0]), Arg(a, 1) as string, Arg(a, 2) is { } d ? Convert.ToInt32(d, System.Globalization.CultureInfo.InvariantCulture) : 8,
            Arg(a, 3) as string, Arg(a, 4) is true, Arg(a, 5) as string)), true);
        return builtins;
    }

    /// <summary>The hidden antiforgery field every form posts (<c>{{ antiforgery csrf }}</c>): one line, written once.</summary>
    public static RawHtml Antiforgery(string token) =>
        new("<input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"" + System.Net.WebUtility.HtmlEncode(token) + "\">");

    private static string Text(object? value) => value as string ?? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static object? Arg(ScriptArray arguments, int index) => index < arguments.Count ? arguments[index] : null;

    /// <summary>
    /// A template function taking its arguments as they are (no conversion), returning text or, as <see cref="RawHtml"/>,
    /// markup it built safely itself.
    /// </summary>
    private sealed class Function<T>(int required, int most, Func<ScriptArray, T> body) : IScriptCustomFunction
    {
        public int RequiredParameterCount => required;
        public int ParameterCount => most;
        public ScriptVarParamKind VarParamKind => ScriptVarParamKind.None;
        public Type ReturnType => typeof(T);
        public ScriptParameterInfo GetParameterInfo(int index) => new(typeof(object), "value" + index);

        public object? Invoke(TemplateContext context, Scriban.Syntax.ScriptNode? callerContext, ScriptArray arguments, Scriban.Syntax.ScriptBlockStatement? blockStatement) =>
            body(arguments);

        public ValueTask<object?> InvokeAsync(TemplateContext context, Scriban.Syntax.ScriptNode? callerContext, ScriptArray arguments, Scriban.Syntax.ScriptBlockStatement? blockStatement) =>
            new(body(arguments));
    }
}

/// <summary>What the template functions t, tf, date, datetime, day and number do.</summary>
public static class TemplateFunctions
{
    public static string T(string key) => Strings.T(key);
    public static string Tf(string key, object? a = null, object? b = null, object? c = null) => Strings.Format(key, a, b, c);
    /// <summary>Dates are shown in the portal's time zone (Italy) in the reader's format, e.g. 01/02/2029.</summary>
    public static readonly TimeZoneInfo PortalTimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome");

    // Parameters are object: Scriban converts each argument to the parameter's type by reflection, which for
    // nullable structs cost more than the function itself.
    public static string Date(object? value) =>
        value is DateTimeOffset v ? TimeZoneInfo.ConvertTime(v, PortalTimeZone).ToString("d", System.Globalization.CultureInfo.CurrentCulture) : "";

    public static string Datetime(object? value) =>
        value is DateTimeOffset v ? TimeZoneInfo.ConvertTime(v, PortalTimeZone).ToString("g", System.Globalization.CultureInfo.CurrentCulture) : "";

    /// <summary>A calendar day (no time zone), in the reader's format.</summary>
    public static string Day(object? value) => value is DateOnly d ? d.ToString("d", System.Globalization.CultureInfo.CurrentCulture) : "";

    public static string Number(long value) => value.ToString("N0", System.Globalization.CultureInfo.CurrentCulture);

    /// <summary>
    /// An address or an identifier that may have to wrap (<c>{{ breakable model.ocsp_url }}</c>): escaped, with a line-break
    /// opportunity after each separator (/ . : - _ ? &amp; =) and every eight characters of a long run of letters and digits
    /// (a serial, a hash), so a narrow column breaks it into readable pieces instead of one character per line.
    /// </summary>
    public static RawHtml Breakable(string value)
    {
        var html = new System.Text.StringBuilder(value.Length * 2);
        var run = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            html.Append(System.Net.WebUtility.HtmlEncode(c.ToString()));
            run = char.IsLetterOrDigit(c) ? run + 1 : 0;
            var last = i == value.Length - 1;
            if (!last && ("/.:-_?&=".Contains(c) && !"/.:-_?&=".Contains(value[i + 1]) || run >= 8 && value.Length - i > 4))
            {
                html.Append("<wbr>");
                run = 0;
            }
        }
        return new RawHtml(html.ToString());
    }
}
