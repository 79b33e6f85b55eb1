using Microsoft.AspNetCore.Http;

namespace MySign.Kernel.Web;

/// <summary>Where software, not a person, is the caller: errors there are JSON (never an HTML page) so the caller can retry.</summary>
public static class ApiPaths
{
    public static bool Is(PathString path) =>
        path.StartsWithSegments("/csc") || path.StartsWithSegments("/webhooks");
}
