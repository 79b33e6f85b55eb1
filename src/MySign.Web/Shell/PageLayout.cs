using MySign.Kernel.Localization;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;

namespace MySign.Web.Shell;

public sealed record LayoutModel(string Title, RawHtml Body, string Lang, string ReturnUrl, bool SignedIn, string? Name, bool Rao, string? Office);

/// <summary>The site's shell around every full page: header (brand, IT/EN, name, Get Out), main, footer.</summary>
public sealed class PageLayout : IPageLayout
{
    public string Render(HttpContext context, string title, RawHtml body)
    {
        var user = context.User.Identity;
        // The RAO console has its own header: office, console links, its own sign-out.
        var rao = context.Request.Path.StartsWithSegments(Holder.RaoArea);
        var model = new LayoutModel(Strings.T(title), body, Strings.Language, context.Request.Path + context.Request.QueryString,
            user?.IsAuthenticated == true, user?.Name, rao, context.User.FindFirst(Holder.OfficeClaim)?.Value);
        return Templates.Render(Templates.Get(typeof(PageLayout).Assembly, "Shell/Layout"), HtmlView.Globals(context, model));
    }
}
