using Microsoft.AspNetCore.Antiforgery;
using MySign.Kernel.Web;

namespace MySign.Web.Infrastructure;

/// <summary>
/// What an exception that reached the error handler means. A request the client broke (a body over the limits, a
/// broken multipart or encoding) is a 4xx; a database that cannot be reached is a 503 the client retries. Neither is a
/// bug of ours: both are answered and logged as what they are (one request line, counted in /metrics), never as an
/// unhandled 500 with a stack trace, so a 5xx alert means a bug.
/// </summary>
public static class Failures
{
    public static int? ClientError(Exception? error)
    {
        // The cause may be wrapped (the antiforgery check reads the form first and wraps what reading it threw).
        for (var e = error; e is not null; e = e.InnerException)
        {
            int? status = e switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                InvalidDataException limit when limit.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) => StatusCodes.Status413PayloadTooLarge,
                InvalidDataException or IOException or System.Text.DecoderFallbackException or FormatException => StatusCodes.Status400BadRequest,
                // Text PostgreSQL cannot store (a NUL, an invalid byte sequence) that came in where no guard looked.
                Npgsql.PostgresException { SqlState: "22021" or "22P05" } => StatusCodes.Status400BadRequest,
                // A lost optimistic-concurrency race (a form sent twice, two tabs): the other request changed it first.
                JasperFx.ConcurrencyException => StatusCodes.Status409Conflict,
                _ => null,
            };
            if (status is not null) return status;
        }
        return error is AntiforgeryValidationException ? StatusCodes.Status400BadRequest : null;
    }

    /// <summary>Not a bug: the client's doing, or the database's absence.</summary>
    public static bool Expected(Exception? error) => ClientError(error) is not null || Outage.IsDatabase(error);
}
