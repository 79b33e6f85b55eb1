using System.Collections;
using System.Globalization;
using System.Net;
using System.Text;
using MySign.Kernel.Localization;

namespace MySign.Kernel.Rendering;

/// <summary>
/// The one "confirm the operation" step of every module: the form that posts the code (or passkey assertion), then
/// "Send new OTP" and the way out. Templates call <c>{{ confirm_step { … } }}</c> with:
/// <list type="bullet">
/// <item><c>action</c> (where the code is posted), <c>csrf</c>, <c>hidden</c> (name → value posted with the code and
/// with "Send new OTP"), <c>target</c> (the element htmx swaps; without it the forms are plain posts).</item>
/// <item><c>fields</c>: what the operation asks besides the code (a PIN, a file, a name…), each an object of
/// <see cref="FormField"/>'s options with its <c>id</c> and <c>label</c>, drawn before the code (<c>after</c>: after
/// it); <c>enctype</c> for a file.</item>
/// <item>the code field, as <see cref="ConfirmCode.Field"/> draws it: <c>code</c> (its id, default "code"),
/// <c>notice</c>, <c>digits</c>, <c>error</c> (the id of the element that explains a wrong code), <c>passkey</c>,
/// <c>autofocus</c> (default true), <c>binding</c> (what a passkey assertion is bound to, when not the form's file)
/// and <c>create</c> (passkey creation options, when the step adds a passkey).</item>
/// <item><c>factor</c>: how the holder confirms ("sms", "authenticatorapp", "hardwaretoken", "passkey": Otp's reception
/// modes in lower case), with <c>destination</c> (the masked phone an SMS went to). The step then words itself for that
/// factor: where the code is (sent by SMS, shown by the app or the token), how many digits, and "Send new OTP" only where
/// a code is sent. Without it the step is an SMS step whose <c>notice</c> says where the code went.</item>
/// <item><c>submit</c> (the button's message key, default "confirm.submit"), <c>resend</c> (the address of "Send new
/// OTP", drawn only for a factor that sends codes), <c>cancel</c> (an address posted to cancel, labelled
/// <c>cancel_label</c>), <c>back</c> (a link away, labelled "Cancel" unless <c>back_label</c>).</item>
/// </list>
/// </summary>
public static class ConfirmStep
{
    public static RawHtml Render(IDictionary<string, object?> options)
    {
        var html = new StringBuilder(1024);
        var csrf = Text(options, "csrf") ?? "";
        var hidden = HiddenFields(options);
        var factor = Text(options, "factor");
        var digits = Text(options, "digits") is { } d && int.TryParse(d, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : Digits(factor);

        Form(html, options, Text(options, "action") ?? "", "form", csrf, hidden, main: true);
        Fields(html, options, "fields");
        html.Append(ConfirmCode.Field(Text(options, "code") ?? "code", Text(options, "notice") ?? Prompt(factor, Text(options, "destination")), digits,
            Text(options, "error"), !options.TryGetValue("autofocus", out var focus) || focus is true, Text(options, "passkey")).Value);
        Fields(html, options, "after");
        html.Append("<button type=\"submit\" class=\"primary\">").Append(Encode(Strings.T(Text(options, "submit") ?? "confirm.submit"))).Append("</button></form>");
        if (Text(options, "resend") is { } resend && SendsCodes(factor) && Text(options, "passkey") is null)
            Form(html, options, resend, "inline", csrf, hidden).Append("<button type=\"submit\">").Append(Encode(Strings.T("confirm.resend"))).Append("</button></form>");
        if (Text(options, "cancel") is { } cancel)
            Form(html, options, cancel, "inline", csrf, "").Append("<button type=\"submit\">").Append(Encode(Strings.T(Text(options, "cancel_label") ?? "confirm.cancel"))).Append("</button></form>");
        if (Text(options, "back") is { } back)
            html.Append("<p><a href=\"").Append(Encode(back)).Append("\">").Append(Encode(Strings.T(Text(options, "back_label") ?? "confirm.cancel"))).Append("</a></p>");
        return new RawHtml(html.ToString());
    }

    /// <summary>Whether "Send new OTP" means anything: only a code sent by SMS can be sent again; an app or a token shows a new one by itself.</summary>
    public static bool SendsCodes(string? factor) => factor is null or "sms";

    /// <summary>Eight digits by SMS, six from an app or a token.</summary>
    public static int Digits(string? factor) => SendsCodes(factor) ? 8 : 6;

    /// <summary>Where the code is, in words for the factor (null for a passkey, whose prompt the field draws, or an unknown factor).</summary>
    public static string? Prompt(string? factor, string? destination) => factor switch
    {
        "sms" => Strings.Format("confirm.prompt.sms", destination ?? ""),
        "authenticatorapp" or "hardwaretoken" => Strings.T("confirm.prompt." + factor),
        _ => null,
    };

    private static StringBuilder Form(StringBuilder html, IDictionary<string, object?> options, string action, string cssClass, string csrf, string hidden,
        bool main = false)
    {
        var a = Encode(action);
        html.Append("<form method=\"post\" action=\"").Append(a).Append('"');
        if (main)
        {
            if (Text(options, "enctype") is { } enctype) html.Append(" enctype=\"").Append(Encode(enctype)).Append('"');
            if (Text(options, "passkey") is not null && Text(options, "binding") is { } binding) html.Append(" data-passkey-binding=\"").Append(Encode(binding)).Append('"');
            if (Text(options, "create") is { } create) html.Append(" data-passkey-create=\"").Append(Encode(create)).Append('"');
        }
        if (Text(options, "target") is { } target)
            html.Append(" hx-post=\"").Append(a).Append("\" hx-target=\"").Append(Encode(target)).Append("\" hx-swap=\"outerHTML\"");
        return html.Append(" class=\"").Append(cssClass).Append("\" novalidate>").Append(Templates.Antiforgery(csrf).Value).Append(hidden);
    }

    private static void Fields(StringBuilder html, IDictionary<string, object?> options, string key)
    {
        if (options.TryGetValue(key, out var fields) && fields is IEnumerable list and not string)
            foreach (var field in list.OfType<IDictionary<string, object?>>())
                html.Append(FormField.Render(Text(field, "id") ?? "", Text(field, "label") ?? "", field).Value);
    }

    private static string HiddenFields(IDictionary<string, object?> options)
    {
        if (!options.TryGetValue("hidden", out var value) || value is not IEnumerable fields) return "";
        var html = new StringBuilder();
        foreach (var field in fields)
        {
            if (field is not KeyValuePair<string, object> pair || pair.Value is null) continue;
            html.Append("<input type=\"hidden\" name=\"").Append(Encode(pair.Key)).Append("\" value=\"")
                .Append(Encode(Convert.ToString(pair.Value, CultureInfo.InvariantCulture) ?? "")).Append("\">");
        }
        return html.ToString();
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    private static string? Text(IDictionary<string, object?> options, string key) => FormField.Text(options, key);
}
