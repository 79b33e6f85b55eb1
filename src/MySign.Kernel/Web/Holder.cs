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

    /// <summary>The holder's User ID (the key every module files its documents under).</summary>
    public static string HolderId(this HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("No signed-in holder on this request.");
}
