using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace MySign.Kernel.Web;

/// <summary>Who is signed in. The Accounts module puts these claims on the request; other modules only read them.</summary>
public static class Holder
{
    public const string Scheme = "mysign-session";
    public const string HolderRole = "holder";
    public const string RaoRole = "rao";
    public const string SessionIdClaim = "mysign:session";
    /// <summary>A RAO operator's office: everything they see is filtered by it.</summary>
    public const string OfficeClaim = "mysign:office";
    public const string RaoArea = "/rao";

    /// <summary>The holder's User ID (the key every module files its documents under).</summary>
    public static string HolderId(this HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("No signed-in holder on this request.");

    /// <summary>The signed-in RAO operator's office.</summary>
    public static string Office(this HttpContext context) =>
        context.User.FindFirstValue(OfficeClaim) ?? throw new InvalidOperationException("No RAO operator on this request.");

    /// <summary>
    /// The portal's one authorisation rule: the RAO console (/rao/...) is for RAO operators, everything else
    /// for holders. A holder's session opens no console page and an operator's session no holder page.
    /// </summary>
    public static bool MayEnter(ClaimsPrincipal user, HttpContext context) =>
        context.Request.Path.StartsWithSegments(RaoArea) ? user.IsInRole(RaoRole) : user.IsInRole(HolderRole);
}
