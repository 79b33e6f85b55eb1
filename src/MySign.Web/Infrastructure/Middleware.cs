using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Antiforgery;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using Serilog.Context;

namespace MySign.Web.Infrastructure;

/// <summary>Strict headers on every response; authenticated pages are never cached. Production adds HSTS (a year, subdomains).</summary>
public sealed class SecurityHeaders(RequestDelegate next, IHostEnvironment environment)
{
    private readonly bool _hsts = environment.IsProduction();

    // htmx's own indicator styles are turned off in its config, so no inline style or script is needed.
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    public Task Invoke(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var (http, hsts) = ((HttpContext, bool))state;
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = FormTargets.Allowed(http) is { } target ? Csp.Replace("form-action 'self'", $"form-action 'self' {target}") : Csp;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.TryAdd("Referrer-Policy", "same-origin"); // a page may ask for stricter (no-referrer)
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // Sent whatever the scheme seen here: TLS ends at the proxy in front, and browsers ignore it over plain HTTP.
            if (hsts) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            if (http.User.Identity?.IsAuthenticated == true || http.Request.Method != HttpMethods.Get)
                headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }, (context, _hsts));
        return next(context);
    }
}

/// <summary>Every log line of a request carries its correlation id (the caller's X-Correlation-Id if sane).</summary>
public sealed partial class CorrelationId(RequestDelegate next)
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Sane();

    public async Task Invoke(HttpContext context)
    {
        var incoming = context.Request.Headers["X-Correlation-Id"].ToString();
        var id = Sane().IsMatch(incoming) ? incoming : context.TraceIdentifier;
        // Set as the response starts: an error page re-executed after the handler cleared the response carries it too.
        context.Response.OnStarting(static state =>
        {
            var (http, value) = ((HttpContext, string))state;
            http.Response.Headers["X-Correlation-Id"] = value;
            return Task.CompletedTask;
        }, (context, id));
        using (LogContext.PushProperty("CorrelationId", id))
            await next(context);
    }
}

/// <summary>
/// Every state-changing request must carry the antiforgery token (form field or the header htmx sends),
/// except endpoints that opt out explicitly (signed webhooks, bearer-token APIs).
/// </summary>
public sealed class AntiforgeryCheck(RequestDelegate next, IAntiforgery antiforgery)
{
    /// <summary>Marks a request refused for its antiforgery token, for the error page.</summary>
    public const string Expired = "mysign:form-expired";

    public async Task Invoke(HttpContext context)
    {
        var method = context.Request.Method;
        var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
        var optedOut = context.GetEndpoint()?.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: false };
        // The portal's pages post forms and nothing else; software (CSC, webhooks) has its own formats.
        if (!safe && !optedOut && !ApiPaths.Is(context.Request.Path) && !context.Request.HasFormContentType)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        if (!safe && !optedOut && !await antiforgery.IsRequestValidAsync(context))
        {
            // The error page says the form expired and leads back to it (a form loaded before a sign-in or out in another tab);
            // htmx, which swaps no 400, loads that page again instead, with a fresh form.
            context.Items[Expired] = true;
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            if (context.Request.Headers.ContainsKey("HX-Request")) context.Response.Headers["HX-Refresh"] = "true";
            return;
        }
        await next(context);
    }
}

/// <summary>
/// A NUL character anywhere a request carries text (the query, a form field, an uploaded file's name, HTTP Basic
/// credentials) is refused with a 400 before any of it reaches PostgreSQL, which cannot store NUL in text: the failed
/// statement answered a 500, and on an auto-prepared statement it could leave the pooled connection out of step for the
/// next request, someone else's. JSON bodies are checked where they are read (the CSC API).
/// </summary>
public sealed class NulCharacters(RequestDelegate next)
{
    public async Task Invoke(HttpContext context)
    {
        var request = context.Request;
        if (request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true || Has(Basic(request.Headers.Authorization.ToString()))
            || (request.HasFormContentType && await FormHasAsync(request, context.RequestAborted)))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Strings.T("error.nul"));
            return;
        }
        await next(context);
    }

    private static bool Has(string? text) => text?.Contains('\0') == true;

    private static async Task<bool> FormHasAsync(HttpRequest request, CancellationToken cancellation)
    {
        IFormCollection form;
        // A form that cannot be read is answered where it is read (its 400 or 413), as before this check.
        try { form = await request.ReadFormAsync(cancellation); }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException) { return false; }
        return form.Any(field => field.Value.Any(Has) || field.Key.Contains('\0')) || form.Files.Any(file => file.FileName.Contains('\0') || file.Name.Contains('\0'));
    }

    private static string? Basic(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try { return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return null; }
    }
}
