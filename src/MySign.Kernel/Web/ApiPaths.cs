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

/// <summary>
/// What an API endpoint answers when its save loses an optimistic-concurrency race (the host's 409 policy otherwise
/// answers the generic "already done"): the endpoint's own error, as its protocol names a double use.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LostRaceAnswerAttribute(string error, string description, int status) : Attribute
{
    public string Error { get; } = error;
    public string Description { get; } = description;
    public int Status { get; } = status;
}
