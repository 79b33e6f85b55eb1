using Microsoft.AspNetCore.Http;

namespace MySign.Kernel.Web;

/// <summary>
/// Where software, not a person, is the caller: errors there are JSON (never an HTML page) so the caller can retry. The one
/// CSC door for people, the OAuth consent page (/csc/v2/oauth2/authorize…), is a portal page.
/// </summary>
public static class ApiPaths
{
    public const string ConsentPage = "/csc/v2/oauth2/authorize";

    public static bool Is(PathString path) =>
        (path.StartsWithSegments("/csc") && !path.StartsWithSegments(ConsentPage)) || path.StartsWithSegments("/webhooks");
}
