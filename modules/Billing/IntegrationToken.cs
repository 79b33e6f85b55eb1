using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MySign.Billing;

/// <summary>
/// The doors other systems post to (the bank's statements, SdI's answers) take a bearer token from configuration, compared
/// in constant time; an empty setting keeps the door shut. The refusal is JSON, as software expects.
/// </summary>
public static class IntegrationToken
{
    /// <summary>Null when the request carries <paramref name="expected"/>; else the 401 to answer (logged, naming <paramref name="door"/>).</summary>
    public static IResult? Refusal(HttpContext context, string expected, ILogger logger, string door)
    {
        var given = context.Request.Headers.Authorization.ToString();
        if (expected.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes("Bearer " + expected))) return null;
        logger.LogWarning("{Door} refused: bad credentials", door);
        return Results.Json(new { error = "unauthorized" }, statusCode: StatusCodes.Status401Unauthorized);
    }
}
