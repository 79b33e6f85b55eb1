namespace MySign.Accounts.Sessions;

public sealed class SessionOptions
{
    /// <summary>Production runs behind HTTPS: Secure cookies with the __Host- prefix. Plain-http local runs turn it off.</summary>
    public bool SecureCookies { get; set; } = true;
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(20);
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(10);
    public int MaxFailedLogins { get; set; } = 5;
    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(15);

    public string CookieName => SecureCookies ? "__Host-mysign" : "mysign";
    /// <summary>The RAO console has its own session, in its own cookie, read only under /rao.</summary>
    public string RaoCookieName => SecureCookies ? "__Host-mysign-rao" : "mysign-rao";

    public string CookieFor(Microsoft.AspNetCore.Http.HttpContext context) =>
        context.Request.Path.StartsWithSegments(Kernel.Web.Holder.RaoArea) ? RaoCookieName : CookieName;
}
