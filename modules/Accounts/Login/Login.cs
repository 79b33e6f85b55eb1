using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Accounts.Sessions;
using MySign.Kernel.Web;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Login;

/// <param name="Return">A portal page to open after signing in (an OAuth consent page sends the holder here with it); only a local path is kept.</param>
public sealed record LoginForm(string UserId, string? Error, bool Expired, bool LoggedOut, string? Return = null);

/// <summary>Holder sign-in with User ID and password; a new server-side session on success.</summary>
public static class LoginEndpoint
{
    [WolverineGet("/login"), AllowAnonymous]
    public static IResult Get(string? expired, string? bye, [FromQuery(Name = "next")] string? returnTo) =>
        View(new LoginForm("", null, expired == "1", bye == "1", LocalPath.Is(returnTo) ? returnTo : null));

    [WolverinePost("/login"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Post([FromForm(Name = "user_id")] string? userId, [FromForm] string? password, [FromForm(Name = "next")] string? returnTo,
        HttpContext context, IDocumentSession session, IMessageBus bus, SignInAttempts attempts,
        IOptions<SessionOptions> options, TimeProvider clock, ILogger<LoginForm> logger)
    {
        var typedId = (userId ?? "").Trim();
        returnTo = LocalPath.Is(returnTo) ? returnTo : null;
        password ??= "";
        if (typedId.Length == 0 || password.Length == 0)
            return View(new LoginForm(typedId, "login.error.required", false, false, returnTo), StatusCodes.Status422UnprocessableEntity);

        var settings = options.Value;
        var now = clock.GetUtcNow();
        var id = typedId.ToLowerInvariant();
        var account = id.Length <= 64 ? await session.LoadAsync<HolderAccount>(id, context.RequestAborted) : null;
        // The password is checked in every case (a decoy hash for an unknown User ID), so the time taken does
        // not tell whether the User ID exists.
        var outcome = await attempts.CheckAsync(id, account?.PasswordHash, password, now, settings, context.RequestAborted);

        if (outcome != SignInOutcome.Success)
        {
            if (account is not null)
                session.Insert(AuditEntry.Of(id, outcome == SignInOutcome.Locked ? "login.locked" : "login.failed", now));
            logger.LogInformation("Sign-in refused ({Outcome})", outcome);
            // Same message whether the User ID exists, the password is wrong or the account is locked.
            return View(new LoginForm(typedId, "login.error.invalid", false, false, returnTo), StatusCodes.Status422UnprocessableEntity);
        }

        var holder = account!;
        if (Passwords.NeedsRehash(holder.PasswordHash))
            session.Patch<HolderAccount>(id).Set(a => a.PasswordHash, Passwords.Hash(password));
        // A page the holder was on (an OAuth consent) comes first; a landing the RAO left then waits for the next sign-in.
        var landing = returnTo ?? (LocalPath.Is(holder.NextSignInPath) ? holder.NextSignInPath! : "/");
        if (returnTo is null && holder.NextSignInPath is not null) session.Patch<HolderAccount>(id).Set(a => a.NextSignInPath, null);
        if (holder.Language != MySign.Kernel.Localization.Strings.Language) session.Patch<HolderAccount>(id).Set(a => a.Language, MySign.Kernel.Localization.Strings.Language);

        SessionCookie.Start(context, session, settings, new PortalSession
        {
            PrincipalId = holder.Id, DisplayName = holder.DisplayName, Role = Holder.HolderRole, CreatedAt = now, LastSeenAt = now,
        });
        session.Insert(AuditEntry.Of(id, "login.ok", now));
        // A browser and address this holder never signed in from: they hear of it by e-mail (after this request, not during it).
        var device = Security.Devices.KeyOf(id, context);
        if (await session.LoadAsync<Security.KnownDevice>(device, context.RequestAborted) is null)
        {
            session.Store(new Security.KnownDevice { Id = device, FirstSeen = now });
            await bus.PublishAsync(new Security.NewDeviceSignedIn(id, Security.Devices.Describe(context), context.Connection.RemoteIpAddress?.ToString() ?? "?", now,
                MySign.Kernel.Localization.Strings.Language));
        }
        logger.LogInformation("Holder {HolderId} signed in", holder.Id);
        return Results.Redirect(landing);
    }

    [WolverinePost("/logout")]
    public static IResult Logout(HttpContext context, IDocumentSession session, IOptions<SessionOptions> options)
    {
        SessionCookie.End(context, session, options.Value);
        return Results.Redirect("/login?bye=1");
    }

    private static IResult View(LoginForm model, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(LoginEndpoint).Assembly, "Login/Login", model, "login.title") { StatusCode = status, Partial = false };
}

public enum SignInOutcome { Success, Invalid, Locked }

/// <summary>The password check: against a decoy hash when the User ID is unknown, so both cost the same.</summary>
public static class SignIn
{
    public static SignInOutcome Decide(string? hash, string password) =>
        Passwords.Verify(hash ?? Passwords.Decoy.Value, password) && hash is not null ? SignInOutcome.Success : SignInOutcome.Invalid;
}

public static class SessionCookie
{
    /// <summary>
    /// Starts a server-side session: a new random token in the area's cookie (never the one the browser brought,
    /// so no fixation; that one's session ends), only the token's hash stored.
    /// </summary>
    public static void Start(HttpContext context, IDocumentSession session, SessionOptions settings, PortalSession started)
    {
        var cookie = settings.CookieFor(context);
        if (context.Request.Cookies.TryGetValue(cookie, out var previous) && previous.Length > 0)
            session.Delete<PortalSession>(SessionAuthenticationHandler.HashToken(previous));
        var token = SessionAuthenticationHandler.NewToken();
        started.Id = SessionAuthenticationHandler.HashToken(token);
        started.Device = Security.Devices.Describe(context);
        started.Address = context.Connection.RemoteIpAddress?.ToString() ?? "";
        session.Store(started);
        context.Response.Cookies.Append(cookie, token, Options(settings));
    }

    /// <summary>Ends the request's session everywhere and clears its cookie.</summary>
    public static void End(HttpContext context, IDocumentSession session, SessionOptions settings)
    {
        var sessionId = context.User.FindFirst(Holder.SessionIdClaim)?.Value;
        if (sessionId is not null) session.Delete<PortalSession>(sessionId);
        context.Response.Cookies.Delete(settings.CookieFor(context), Options(settings));
    }

    private static CookieOptions Options(SessionOptions settings) => new()
    {
        HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = settings.SecureCookies, Path = "/", IsEssential = true,
    };
}

/// <summary>Files the page the holder's next sign-in opens (LandOnNextSignIn); an unknown holder or a non-local path is ignored.</summary>
public static class LandOnNextSignInHandler
{
    public static void Handle(LandOnNextSignIn command, IDocumentSession session)
    {
        if (command.Path is not null && !LocalPath.Is(command.Path)) return;
        session.Patch<HolderAccount>(command.HolderId.ToLowerInvariant()).Set(a => a.NextSignInPath, command.Path);
    }
}
