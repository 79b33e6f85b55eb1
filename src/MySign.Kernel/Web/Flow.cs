using Htmx;
using Microsoft.AspNetCore.Http;

namespace MySign.Kernel.Web;

/// <summary>Endings shared by every multi-step flow.</summary>
public static class Flow
{
    /// <summary>Back to a page when a flow is done: a redirect, or for htmx an HX-Redirect (the whole page reloads).</summary>
    public static IResult Done(HttpContext context, string path)
    {
        if (!context.Request.IsHtmx()) return Results.Redirect(path);
        context.Response.Htmx(h => h.Redirect(path));
        return Results.Ok();
    }

    /// <summary>"Send new OTP" asked for too early: 429 with Retry-After, a message the page shows.</summary>
    public static void TooManyRequests(HttpContext context, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Something a module "sent" that Development's /dev/outbox lists (e.g. sandbox SMS).</summary>
public sealed record OutboxItem(DateTimeOffset At, string Kind, string To, string Subject, string Text);

/// <summary>A module's contribution to /dev/outbox (Development only); the module reads its own documents.</summary>
public interface IDevOutboxSource
{
    Task<IReadOnlyList<OutboxItem>> RecentAsync(int count, CancellationToken cancellation);
}
