using System.Net;
using MySign.Kernel.Localization;

namespace MySign.Kernel.Rendering;

/// <summary>
/// The one OTP code field of every "confirm the operation" step, in every module (templates call
/// <c>{{ otp_field id notice digits error_id autofocus }}</c>): one real input drawn as single-digit boxes (the
/// seed's eight; six for an app or a token), so typing, pasting, the phone's one-time-code suggestion and screen
/// readers all see one field. <c>notice</c> says where the code went; <c>error_id</c> names the element that
/// explains a wrong code (the field is then marked invalid and described by it).
/// When the holder confirms with a passkey, <c>passkey</c> is the challenge id (OtpIssued.Passkey) and the field is a
/// prompt instead: on submit app.js asks the browser for an assertion bound to that challenge (and to the form's
/// <c>data-passkey-binding</c>, or the SHA-256 of its <c>data-passkey-bind</c> file) and posts it as the code.
/// </summary>
public static class ConfirmCode
{
    public static RawHtml Field(string id, string? notice, int digits, string? errorId, bool autofocus, string? passkey = null)
    {
        if (passkey is { Length: > 0 }) return Passkey(id, passkey);
        digits = digits is 6 or 8 ? digits : 8;
        var e = WebUtility.HtmlEncode(id);
        var noticeId = notice is { Length: > 0 } ? e + "-notice" : null;
        var describedBy = string.Join(' ', new[] { noticeId, errorId is { Length: > 0 } ? WebUtility.HtmlEncode(errorId) : null }.Where(x => x is not null));
        var html = new System.Text.StringBuilder(512)
            .Append("<div class=\"field\"><label for=\"").Append(e).Append("\">").Append(WebUtility.HtmlEncode(Strings.T("confirm.code"))).Append("</label>")
            .Append("<input id=\"").Append(e).Append("\" name=\"code\" class=\"otp-boxes digits-").Append(digits)
            .Append("\" type=\"text\" inputmode=\"numeric\" pattern=\"[0-9]*\" autocomplete=\"one-time-code\" maxlength=\"").Append(digits).Append("\" required");
        if (autofocus) html.Append(" autofocus");
        if (errorId is { Length: > 0 }) html.Append(" aria-invalid=\"true\"");
        if (describedBy.Length > 0) html.Append(" aria-describedby=\"").Append(describedBy).Append('"');
        html.Append('>');
        if (noticeId is not null) html.Append("<p class=\"hint\" id=\"").Append(noticeId).Append("\" role=\"status\">").Append(WebUtility.HtmlEncode(notice)).Append("</p>");
        return new RawHtml(html.Append("</div>").ToString());
    }

    private static RawHtml Passkey(string id, string challenge)
    {
        var e = WebUtility.HtmlEncode(id);
        return new RawHtml(new System.Text.StringBuilder(512)
            .Append("<div class=\"field passkey-field\" data-passkey=\"").Append(WebUtility.HtmlEncode(challenge)).Append("\">")
            .Append("<input type=\"hidden\" id=\"").Append(e).Append("\" name=\"code\" value=\"\">")
            .Append("<p class=\"hint\" id=\"").Append(e).Append("-notice\">").Append(WebUtility.HtmlEncode(Strings.T("confirm.passkey"))).Append("</p>")
            .Append("<noscript><p class=\"error\">").Append(WebUtility.HtmlEncode(Strings.T("confirm.passkey_script"))).Append("</p></noscript>")
            .Append("<p class=\"error\" data-passkey-error role=\"alert\" hidden>").Append(WebUtility.HtmlEncode(Strings.T("confirm.passkey_failed"))).Append("</p>")
            .Append("</div>").ToString());
    }
}
