using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using MySign.Kernel.Web;
using MySign.Web.Infrastructure;
using Npgsql;
using Wolverine.Http;

namespace MySign.Web.Shell;

public sealed record ErrorModel(string MessageKey);

public static class ShellEndpoints
{
    /// <summary>The IT / EN switch: remembers the choice in a cookie and goes back to the same (local) page.</summary>
    [WolverinePost("/lang"), AllowAnonymous]
    public static async Task<IResult> Language(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var lang = form["lang"].ToString() == "it" ? "it" : "en";
        context.Response.Cookies.Append(Web.Infrastructure.Web.LanguageCookie,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(lang == "it" ? "it-IT" : "en-GB", lang)),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365), Path = "/", IsEssential = true });
        var back = form["return"].ToString();
        // Only a local path: never an open redirect.
        var local = back.StartsWith('/') && !back.StartsWith("//") && !back.StartsWith("/\\") ? back : "/";
        return Results.Redirect(local);
    }

    [WolverineGet("/health"), AllowAnonymous]
    public static async Task<IResult> Health(NpgsqlDataSource database, HttpContext context)
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

    /// <summary>Friendly error pages (never a stack trace): re-executed for 4xx/5xx without a body.</summary>
    [WolverineGet("/error/{code}"), AllowAnonymous]
    public static IResult Error(int code, HttpContext context) => ErrorPage(code);

    /// <summary>The same page when the failed request was a form post (the error handler re-executes with its method).</summary>
    [WolverinePost("/error/{code}"), AllowAnonymous]
    public static IResult ErrorAfterPost(int code, HttpContext context) => ErrorPage(code);

    private static IResult ErrorPage(int code)
    {
        var key = code switch { 404 => "error.not_found", 403 => "error.forbidden", 400 => "error.bad_request", 429 => "error.too_many", _ => "error.server" };
        var status = code is >= 400 and < 600 ? code : 500;
        return new HtmlView(typeof(ShellEndpoints).Assembly, "Shell/Error", new ErrorModel(key), "error.title") { StatusCode = status };
    }
}
