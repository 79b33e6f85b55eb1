using Microsoft.AspNetCore.Http;

namespace MySign.Kernel.Web;

/// <summary>
/// The pages' CSP allows forms to go only to the portal itself (form-action 'self'), and browsers hold a form's redirect
/// to that too. A page whose form must end at another site (the OAuth consent returning the holder to a registered client)
/// names that one origin here; the security headers add it to form-action for this response only.
/// </summary>
public static class FormTargets
{
    private const string Key = "mysign:form-target";

    public static void Allow(HttpContext context, Uri target) =>
        context.Items[Key] = target.Scheme is "http" or "https" ? target.GetLeftPart(UriPartial.Authority) : target.Scheme + ":";

    public static string? Allowed(HttpContext context) => context.Items.TryGetValue(Key, out var value) ? value as string : null;
}
