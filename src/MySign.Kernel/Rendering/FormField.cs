using System.Globalization;
using System.Net;
using System.Text;
using MySign.Kernel.Localization;

namespace MySign.Kernel.Rendering;

/// <summary>
/// The one labelled input of every form, in every module: <c>{{ field "id" "label.key" { type: "email", value: …, error: … } }}</c>.
/// It writes the label, the input, and the wiring screen readers and browsers rely on, so no template repeats it:
/// <list type="bullet">
/// <item><c>error</c> (a message key, or a sentence): shown under the input, which is marked <c>aria-invalid</c> and
/// described by it. <c>invalid</c> + <c>describedby</c> do the same for an error shown elsewhere (one message above
/// several fields).</item>
/// <item><c>hint</c> (a message key): a line under the input that describes it too.</item>
/// <item><c>type: "pin"</c>: a signature PIN (masked, numeric keyboard, no autofill, 16 characters); <c>reveal</c>
/// adds the "Show PIN" toggle app.js drives. <c>type: "datetext"</c>: a date typed as text in the page language's format, which the
/// label and the placeholder show.</item>
/// <item><c>type: "select"</c>: <c>choices</c> (values), each labelled by the message <c>prefix</c> + value, after an empty
/// <c>choose</c> option; <c>value</c> is the one selected. <c>type: "checkbox"</c>: the box before its label,
/// <c>checked</c>, not required unless asked.</item>
/// <item><c>name</c> (default: the id), <c>value</c>, <c>max</c> (maxlength), <c>autocomplete</c>, <c>inputmode</c>,
/// <c>autocapitalize</c>, <c>spellcheck</c>, <c>placeholder</c> (a message key), <c>min</c> and <c>max_value</c> (a
/// number's range), <c>required</c> (default true),
/// <c>autofocus</c>, <c>data</c> (one <c>data-</c> attribute without a value, e.g. "passkey-bind" on the file a
/// passkey signs).</item>
/// </list>
/// Every value is HTML-encoded here; the label, hint and error are translated.
/// </summary>
public static class FormField
{
    public static RawHtml Render(string id, string labelKey, IDictionary<string, object?>? options)
    {
        options ??= new Dictionary<string, object?>();
        var type = Text(options, "type") ?? "text";
        var pin = type == "pin";
        var date = type == "datetext";
        var e = WebUtility.HtmlEncode(id);
        var error = Text(options, "error");
        var hint = Text(options, "hint");
        var invalid = error is not null || Flag(options, "invalid");
        var describedBy = string.Join(' ', new[]
        {
            hint is not null ? e + "-hint" : null,
            error is not null ? e + "-error" : null,
            Flag(options, "invalid") && Text(options, "describedby") is { } elsewhere ? WebUtility.HtmlEncode(elsewhere) : null,
        }.Where(x => x is not null));

        var check = type == "checkbox";
        var select = type == "select";
        var label = "<label for=\"" + e + "\">" + WebUtility.HtmlEncode(Strings.T(labelKey))
                    + (date ? " <span class=\"format\">(" + WebUtility.HtmlEncode(Strings.T("field.date_hint")) + ")</span>" : "") + "</label>";
        var html = new StringBuilder(384).Append(check ? "<div class=\"field check\">" : "<div class=\"field\">" + label)
            .Append(select ? "<select" : "<input").Append(" id=\"").Append(e).Append("\" name=\"").Append(WebUtility.HtmlEncode(Text(options, "name") ?? id)).Append('"');
        if (!select) html.Append(" type=\"").Append(pin ? "password" : date ? "text" : WebUtility.HtmlEncode(type)).Append('"');
        if (!select && !check)
        {
            Attribute(html, "inputmode", Text(options, "inputmode") ?? (pin || date ? "numeric" : null));
            Attribute(html, "autocomplete", Text(options, "autocomplete") ?? (pin || date ? "off" : null));
            Attribute(html, "autocapitalize", Text(options, "autocapitalize"));
            Attribute(html, "spellcheck", Text(options, "spellcheck"));
            Attribute(html, "placeholder", (Text(options, "placeholder") ?? (date ? "field.date_hint" : null)) is { } placeholder ? Strings.T(placeholder) : null);
            Attribute(html, "maxlength", pin ? "16" : date ? "10" : Text(options, "max"));
            Attribute(html, "min", Text(options, "min"));
            Attribute(html, "max", Text(options, "max_value"));
        }
        if (check) Attribute(html, "value", Text(options, "value"));
        else if (!select && !pin && type is not ("password" or "file")) Attribute(html, "value", Text(options, "value") ?? "", always: true);
        if (check && Flag(options, "checked")) html.Append(" checked");
        if (Text(options, "data") is { } data && System.Text.RegularExpressions.Regex.IsMatch(data, "^[a-z][a-z-]*$")) html.Append(" data-").Append(data);
        if (options.TryGetValue("required", out var required) ? required is true : !check) html.Append(" required");
        if (Flag(options, "autofocus")) html.Append(" autofocus");
        if (invalid) html.Append(" aria-invalid=\"true\"");
        if (describedBy.Length > 0) html.Append(" aria-describedby=\"").Append(describedBy).Append('"');
        html.Append('>');
        if (select) Choices(html, options);
        if (check) html.Append(label);
        if (Flag(options, "reveal"))
            html.Append("<button type=\"button\" class=\"reveal\" data-js data-reveal=\"").Append(e).Append("\" aria-controls=\"").Append(e)
                .Append("\" aria-pressed=\"false\" hidden>").Append(WebUtility.HtmlEncode(Strings.T("field.show_pin"))).Append("</button>");
        if (hint is not null) html.Append("<small id=\"").Append(e).Append("-hint\">").Append(WebUtility.HtmlEncode(Strings.T(hint))).Append("</small>");
        if (error is not null) html.Append("<p class=\"error\" id=\"").Append(e).Append("-error\" role=\"alert\">").Append(WebUtility.HtmlEncode(Strings.T(error))).Append("</p>");
        return new RawHtml(html.Append("</div>").ToString());
    }

    /// <summary>A select's options: first the empty choice (<c>choose</c>, a message key), then each of <c>choices</c>, labelled <c>prefix</c> + its value.</summary>
    private static void Choices(StringBuilder html, IDictionary<string, object?> options)
    {
        var chosen = Text(options, "value");
        var prefix = Text(options, "prefix") ?? "";
        html.Append("<option value=\"\">").Append(WebUtility.HtmlEncode(Strings.T(Text(options, "choose") ?? "—"))).Append("</option>");
        if (options.TryGetValue("choices", out var choices) && choices is System.Collections.IEnumerable list and not string)
            foreach (var choice in list)
            {
                var value = Convert.ToString(choice, CultureInfo.InvariantCulture) ?? "";
                html.Append("<option value=\"").Append(WebUtility.HtmlEncode(value)).Append('"').Append(value == chosen ? " selected" : "").Append('>')
                    .Append(WebUtility.HtmlEncode(Strings.T(prefix + value))).Append("</option>");
            }
        html.Append("</select>");
    }

    private static void Attribute(StringBuilder html, string name, string? value, bool always = false)
    {
        if (value is null || (value.Length == 0 && !always)) return;
        html.Append(' ').Append(name).Append("=\"").Append(WebUtility.HtmlEncode(value)).Append('"');
    }

    /// <summary>An option as text: null when absent, null, false or empty.</summary>
    internal static string? Text(IDictionary<string, object?> options, string key) =>
        options.TryGetValue(key, out var value) && value is not null and not false
            ? (value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture)) is { Length: > 0 } s ? s : null
            : null;

    /// <summary>True, or a non-empty text (so <c>invalid: model.error_key</c> reads as "there is an error").</summary>
    private static bool Flag(IDictionary<string, object?> options, string key) =>
        options.TryGetValue(key, out var value) && value is true or string { Length: > 0 };
}
