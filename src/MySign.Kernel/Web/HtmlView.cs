using System.Text;
using System.Reflection;
using Htmx;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MySign.Kernel.Rendering;

namespace MySign.Kernel.Web;

/// <summary>Wraps a rendered fragment in the site's shell. The host implements it.</summary>
public interface IPageLayout
{
    string Render(HttpContext context, string title, RawHtml body);
}

/// <summary>
/// A page or a fragment rendered from a module's embedded Scriban template. An htmx request gets the
/// fragment alone; any other request gets it inside the shell, so every page works without JavaScript.
/// </summary>
public sealed class HtmlView(Assembly assembly, string template, object? model, string titleKey = "app.name") : IResult
{
    public int StatusCode { get; init; } = StatusCodes.Status200OK;

    /// <summary>Set to force the fragment alone (true) or the whole page (false); null decides from HX-Request.</summary>
    public bool? Partial { get; init; }

    public static HtmlView For<TAnchor>(string template, object? model, string titleKey = "app.name") =>
        new(typeof(TAnchor).Assembly, template, model, titleKey);

    public RawHtml RenderFragment(HttpContext context) => new(Templates.Render(Templates.Get(assembly, template), Globals(context, model)));

    public static Dictionary<string, object?> Globals(HttpContext context, object? model) => new()
    {
        ["model"] = model,
        ["csrf"] = Antiforgery(context),
        ["user_name"] = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null,
    };

    private static readonly object TokenKey = new();

    /// <summary>The request's antiforgery token, made once per request however many templates show it.</summary>
    public static string Antiforgery(HttpContext context)
    {
        if (context.Items.TryGetValue(TokenKey, out var cached)) return (string)cached!;
        var token = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken ?? "";
        context.Items[TokenKey] = token;
        return token;
    }

    // Where the page's body goes in the rendered shell. Text from a model is escaped, so it can't contain it.
    private const string BodyMarker = "<!--mysign:body-->";

    public async Task ExecuteAsync(HttpContext context)
    {
        var body = RenderFragment(context);
        var partial = Partial ?? context.Request.IsHtmx();
        context.Response.StatusCode = StatusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.Vary = "HX-Request";
        if (partial)
        {
            await context.Response.WriteAsync(body.Value, context.RequestAborted);
            return;
        }
        // The shell is rendered around a marker and written in three parts, so the whole page is never
        // copied into one more string.
        var shell = context.RequestServices.GetRequiredService<IPageLayout>().Render(context, titleKey, new RawHtml(BodyMarker));
        var at = shell.IndexOf(BodyMarker, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException("The page layout does not place the body.");
        var writer = context.Response.BodyWriter;
        Encoding.UTF8.GetBytes(shell.AsSpan(0, at), writer);
        Encoding.UTF8.GetBytes(body.Value.AsSpan(), writer);
        Encoding.UTF8.GetBytes(shell.AsSpan(at + BodyMarker.Length), writer);
        await writer.FlushAsync(context.RequestAborted);
    }
}
