using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using MySign.Accounts.Contracts;
using MySign.Kernel.Localization;
using MySign.Kernel.Operations;
using Microsoft.AspNetCore.Localization;
using MySign.Kernel.Web;
using MySign.Web.Infrastructure;
using Npgsql;
using Wolverine;
using Wolverine.Http;

namespace MySign.Web.Shell;

/// <summary>The error page: a message key (or, for a 429, the sentence saying how long to wait) and its title.</summary>
/// <param name="Back">For a lost race (409): the page the form was on, to reload and see where things are now.</param>
public sealed record ErrorModel(string MessageKey, string TitleKey = "error.title", string? Back = null);

public static class ShellEndpoints
{
    /// <summary>
    /// The IT / EN switch: remembers the choice in a cookie and goes back to the same (local) page. A signed-in holder's choice
    /// is also the language of what is sent to them from now on (Accounts keeps it, through the durable local queue).
    /// </summary>
    [WolverinePost("/lang"), AllowAnonymous]
    public static async Task<(IResult, OutgoingMessages)> Language(HttpContext context, TimeProvider clock)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var lang = Chosen(form);
        var messages = new OutgoingMessages();
        if (context.User.IsInRole(Holder.HolderRole) && context.HolderId() is { Length: > 0 } holder)
            messages.Add(new RememberHolderLanguage(holder, lang, clock.GetUtcNow()));
        return (SwitchLanguage(context, form, lang), messages);
    }

    /// <summary>
    /// The same switch inside the RAO console: its session (and so the form token its pages carry) exists only under
    /// /rao, so its pages post here; posted to /lang the token would belong to nobody and be refused.
    /// </summary>
    [WolverinePost("/rao/lang")]
    public static async Task<IResult> RaoLanguage(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        return SwitchLanguage(context, form, Chosen(form));
    }

    private static string Chosen(IFormCollection form) => Strings.Languages.Contains(form["lang"].ToString()) ? form["lang"].ToString() : "en";

    private static IResult SwitchLanguage(HttpContext context, IFormCollection form, string lang)
    {
        context.Response.Cookies.Append(Infrastructure.Web.LanguageCookie,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(lang == "it" ? "it-IT" : "en-GB", lang)),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365), Path = "/", IsEssential = true });
        return Results.Redirect(LocalPath.OrHome(form["return"].ToString()));
    }

    /// <summary>
    /// Liveness, what the balancer asks (fly.toml): the process answers. It never touches the database, so in a database
    /// outage every node stays in the balancer and serves the translated 503 page and the JSON 503 with Retry-After,
    /// instead of the balancer's own bare 503.
    /// </summary>
    [WolverineGet("/health"), AllowAnonymous]
    public static IResult Health() => Results.Text("ok", "text/plain");

    /// <summary>One round trip to PostgreSQL (`select 1`): 503 while it cannot be reached. The benchmarks' baseline.</summary>
    [WolverineGet("/health/db"), AllowAnonymous]
    public static async Task<IResult> Database(NpgsqlDataSource database, HttpContext context)
    {
        try
        {
            await using var command = database.CreateCommand("select 1");
            await command.ExecuteScalarAsync(context.RequestAborted);
            return Results.Text("ok", "text/plain");
        }
        catch (NpgsqlException)
        {
            return Results.Text("database unavailable", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>
    /// Readiness, for a load balancer or an operator: PostgreSQL, the SMTP relay, the CA material and the catalogue
    /// (each module adds its own checks). 200 when all pass, else 503; each check has two seconds. /health is the
    /// liveness check, /health/db the database alone.
    /// </summary>
    [WolverineGet("/health/ready"), AllowAnonymous]
    public static async Task<IResult> Ready(IEnumerable<IReadinessCheck> checks, HttpContext context)
    {
        var results = await Task.WhenAll(checks.Select(async check =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try { return (check.Name, Ok: await check.IsReadyAsync(timeout.Token)); }
            catch (Exception) { return (check.Name, Ok: false); }
        }));
        var ready = results.All(r => r.Ok);
        return Results.Json(new { status = ready ? "ready" : "not_ready", checks = results.ToDictionary(r => r.Name, r => r.Ok ? "ok" : "failed") },
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// Friendly error pages (never a stack trace): re-executed for 4xx/5xx without a body and for unhandled
    /// exceptions. Never behind the antiforgery check (a failed POST is re-executed as a POST). Software callers (CSC
    /// API, webhooks, the bank import) get JSON so they can retry; a database outage is a 503 with Retry-After.
    /// </summary>
    [WolverineGet("/error/{code}"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static IResult Error(int code, HttpContext context) => ErrorPage(code, context);

    /// <summary>The same page when the failed request was a form post (the error handler re-executes with its method).</summary>
    [WolverinePost("/error/{code}"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static IResult ErrorAfterPost(int code, HttpContext context) => ErrorPage(code, context);

    private static IResult ErrorPage(int code, HttpContext context)
    {
        var failure = context.Features.Get<IExceptionHandlerFeature>();
        var outage = Outage.IsDatabase(failure?.Error);
        // Asked for directly with a code that is no error (/error/1): there is no such page.
        var clientError = Failures.ClientError(failure?.Error);
        var status = outage ? StatusCodes.Status503ServiceUnavailable
            : clientError ?? (code is >= 400 and < 600 ? code : failure is null ? StatusCodes.Status404NotFound : 500);
        if (outage) Telemetry.OutageRequests.Add(1);
        else if (clientError is { } refused) Telemetry.ClientErrors.Add(1, new KeyValuePair<string, object?>("status", refused));
        if (status == StatusCodes.Status503ServiceUnavailable)
            context.Response.Headers.RetryAfter = ((int)Outage.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var original = failure?.Path ?? context.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath;
        if (status == StatusCodes.Status409Conflict && failure?.Endpoint?.Metadata.GetMetadata<LostRaceAnswerAttribute>() is { } raceLost)
        {
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.Pragma = "no-cache";
            return Results.Json(new { error = raceLost.Error, error_description = raceLost.Description }, statusCode: raceLost.Status);
        }
        if (original is not null && ApiPaths.Is(original))
            return Results.Json(new { error = ApiError(status), error_description = Strings.T(Key(status)) }, statusCode: status);
        if (status == StatusCodes.Status429TooManyRequests)
        {
            // Every 429 says what was limited and how long to wait, in the page's language (Retry-After from the limiter).
            var wait = int.TryParse(context.Response.Headers.RetryAfter.ToString(), out var seconds) ? seconds : 60;
            var path = new PathString(original ?? "/");
            var what = path.StartsWithSegments("/trusty") ? ".trusty"
                : path.StartsWithSegments("/emergency") ? ".emergency"
                : path.StartsWithSegments("/forgot-password") || path.StartsWithSegments("/reset-password") ? ".recovery"
                : ".login";
            return new HtmlView(typeof(ShellEndpoints).Assembly, "Shell/Error", new ErrorModel(Strings.Format("error.too_many" + what, wait), "error.title.wait"), "error.title.wait")
                { StatusCode = status };
        }
        if (status == StatusCodes.Status400BadRequest && context.Items.ContainsKey(Infrastructure.AntiforgeryCheck.Expired))
            return new HtmlView(typeof(ShellEndpoints).Assembly, "Shell/Error", new ErrorModel("error.antiforgery", "error.title.expired", SamePage(context)),
                "error.title.expired") { StatusCode = status };
        // A lost race (a form sent twice, two tabs) offers the page the form was on, as it is now, in the endpoint's own words
        // when it may have done something before it lost.
        var back = status == StatusCodes.Status409Conflict ? SamePage(context) : null;
        var lostRace = status == StatusCodes.Status409Conflict ? failure?.Endpoint?.Metadata.GetMetadata<LostRacePageAttribute>() : null;
        var title = lostRace?.TitleKey ?? (status == StatusCodes.Status409Conflict ? "error.title.conflict" : "error.title");
        return new HtmlView(typeof(ShellEndpoints).Assembly, "Shell/Error", new ErrorModel(lostRace?.TextKey ?? Key(status), title, back), title) { StatusCode = status };
    }

    /// <summary>The local path of the page that sent the request (its Referer, when it is this site's), else null.</summary>
    private static string? SamePage(HttpContext context)
    {
        if (!Uri.TryCreate(context.Request.Headers.Referer.ToString(), UriKind.Absolute, out var referer)) return null;
        return referer.Authority == context.Request.Host.Value ? LocalPath.OrNull(referer.PathAndQuery) : null;
    }

    private static string Key(int status) => status switch
    {
        404 => "error.not_found", 403 => "error.forbidden", 409 => "error.conflict", 400 => "error.bad_request", 413 => "error.too_large", 415 => "error.bad_request", 429 => "error.too_many",
        503 => "error.unavailable", >= 400 and < 500 => "error.bad_request", _ => "error.server",
    };

    private static string ApiError(int status) => status switch
    {
        404 => "not_found", 413 => "request_too_large", 429 => "too_many_requests", 503 => "temporarily_unavailable",
        >= 400 and < 500 => "invalid_request", _ => "server_error",
    };
}
