using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Buffers.Text;
using Htmx;
using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySign.Accounts.Domain;
using MySign.Kernel.Web;

namespace MySign.Accounts.Sessions;

/// <summary>
/// Authenticates a request from the session cookie against the server-side session document:
/// a deleted or idle session no longer authenticates, whatever the browser still holds.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDocumentStore store,
    IOptions<SessionOptions> sessionOptions,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string ExpiredItem = "mysign:session-expired";
    private const string OutageItem = "mysign:database-outage";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        try
        {
            return await AuthenticateSessionAsync();
        }
        catch (Exception e) when (Outage.IsDatabase(e))
        {
            // Not thrown from here: the result is kept for the whole request, so the error page re-executed after
            // the failure would fail again. A page that needs the holder throws it at the challenge (→ the 503 page).
            Context.Items[OutageItem] = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            return AuthenticateResult.NoResult();
        }
    }

    private async Task<AuthenticateResult> AuthenticateSessionAsync()
    {
        var settings = sessionOptions.Value;
        if (!Request.Cookies.TryGetValue(settings.CookieFor(Context), out var token) || string.IsNullOrEmpty(token))
            return AuthenticateResult.NoResult();

        var id = HashToken(token);
        await using var query = store.QuerySession();
        var session = await query.LoadAsync<PortalSession>(id, Context.RequestAborted);
        var now = clock.GetUtcNow();
        if (session is null || now - session.LastSeenAt > settings.IdleTimeout || now - session.CreatedAt > settings.AbsoluteTimeout)
        {
            Context.Items[ExpiredItem] = true;
            return AuthenticateResult.NoResult();
        }

        if (now - session.LastSeenAt > TimeSpan.FromMinutes(1))
        {
            // Sliding idle timeout, written at most once a minute per session.
            await using var write = store.LightweightSession();
            write.Patch<PortalSession>(id).Set(s => s.LastSeenAt, now);
            await write.SaveChangesAsync(Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, session.PrincipalId),
            new Claim(ClaimTypes.Name, session.DisplayName),
            new Claim(ClaimTypes.Role, session.Role),
            new Claim(Holder.SessionIdClaim, id),
        ], Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        if (session.Office.Length > 0) identity.AddClaim(new Claim(Holder.OfficeClaim, session.Office));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[OutageItem] is System.Runtime.ExceptionServices.ExceptionDispatchInfo outage) outage.Throw();
        var expired = Context.Items.ContainsKey(ExpiredItem);
        var login = Request.Path.StartsWithSegments("/rao") ? "/rao/login" : "/login";
        var target = expired ? login + "?expired=1" : login;
        if (Request.IsHtmx())
        {
            Response.Htmx(h => h.Redirect(target));
            Response.StatusCode = StatusCodes.Status401Unauthorized;
        }
        else
        {
            Response.Redirect(target);
        }
        return Task.CompletedTask;
    }

    public static string HashToken(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
