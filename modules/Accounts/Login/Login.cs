using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySign.Accounts.Account;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Accounts.Sessions;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Login;

/// <param name="Return">A portal page to open after signing in (an OAuth consent page sends the holder here with it); only a local path is kept.</param>
public sealed record LoginForm(string UserId, string? Error, bool Expired, bool LoggedOut, string? Return = null)
{
    /// <summary>The second step's pending sign-in (its token), where the code went, and the passkey challenge when that is the factor.</summary>
    public string? Pending { get; init; }
    public string? Destination { get; init; }
    public string? Passkey { get; init; }
    /// <summary>How the code reaches the holder (OtpIssued.Factor): the step words itself for it.</summary>
    public string? Factor { get; init; }
    /// <summary>"Sign in with a passkey": the challenge the browser answers with one of its passkeys.</summary>
    public string? PasskeyChallenge { get; init; }
    /// <summary>Where "Assistance" leads: the Assistant's Trusty.</summary>
    public string AssistancePath => Assistant.Contracts.AssistantPages.Trusty;
    /// <summary>"Don't have MySign yet?": the page saying how to get a certificate (an RAO office, what to bring).</summary>
    public string HowToActivatePath => HowToActivate.HowToActivateEndpoint.Path;
}

/// <summary>A sign-in whose password was right, waiting for the holder's OTP or passkey. Id is the hash of the token in the form.</summary>
public sealed class PendingSignIn
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public string? ReturnTo { get; set; }
    public Guid ChallengeId { get; set; }
    public string? Destination { get; set; }
    public string? Passkey { get; set; }
    public string? Factor { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>Holder sign-in with User ID and password; a new server-side session on success.</summary>
public static class LoginEndpoint
{
    [WolverineGet(AccountPages.SignIn), AllowAnonymous]
    public static IResult Get(string? expired, string? bye, [FromQuery(Name = "next")] string? returnTo) =>
        View(new LoginForm("", null, expired == "1", bye == "1", LocalPath.OrNull(returnTo)));

    [WolverinePost(AccountPages.SignIn), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Post([FromForm(Name = "user_id")] string? userId, [FromForm] string? password, [FromForm(Name = "next")] string? returnTo,
        HttpContext context, IDocumentSession session, IMessageBus bus, SignInAttempts attempts,
        IOptions<SessionOptions> options, TimeProvider clock, ILogger<LoginForm> logger)
    {
        var typedId = (userId ?? "").Trim();
        returnTo = LocalPath.OrNull(returnTo);
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
        if (!holder.FactorAtSignIn) return await CompleteAsync(holder, returnTo, "login.ok", context, session, bus, settings, now, logger);

        // The holder asked for their OTP or passkey after the password: a pending sign-in, no session yet.
        var pending = new PendingSignIn { Id = SessionAuthenticationHandler.NewToken(), HolderId = holder.Id, ReturnTo = returnTo, ExpiresAt = now + PendingLifetime };
        var issued = await bus.SendOtpAsync(holder.Id, SignInPurpose, SessionAuthenticationHandler.HashToken(pending.Id), context.RequestAborted);
        if (issued.Throttled) return View(new LoginForm(typedId, issued.Wait, false, false, returnTo), StatusCodes.Status429TooManyRequests);
        var token = pending.Id;
        pending.Id = SessionAuthenticationHandler.HashToken(token);
        pending.ChallengeId = issued.ChallengeId;
        pending.Destination = issued.Destination;
        pending.Passkey = issued.Passkey;
        pending.Factor = issued.Factor;
        session.Store(pending);
        return View(FactorStep(pending, token, null));
    }

    public const string SignInPurpose = "signin";
    public const string PasskeyContext = "signin";
    private static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The second step: the OTP or passkey of a pending sign-in. Five wrong codes end it (the challenge is spent): sign in again.</summary>
    [WolverinePost("/login/factor"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Factor([FromForm] string? pending, [FromForm] string? code, HttpContext context, IDocumentSession session, IMessageBus bus,
        IOptions<SessionOptions> options, TimeProvider clock, ILogger<LoginForm> logger)
    {
        var now = clock.GetUtcNow();
        var found = pending is { Length: > 0 and <= 100 } ? await session.LoadAsync<PendingSignIn>(SessionAuthenticationHandler.HashToken(pending), context.RequestAborted) : null;
        if (found is null || found.ExpiresAt <= now) return View(new LoginForm("", "login.error.factor_expired", false, false), StatusCodes.Status422UnprocessableEntity);
        var verified = await bus.CheckOtpAsync(found.ChallengeId, found.HolderId, SignInPurpose, found.Id, code, context.RequestAborted);
        if (!verified.IsValid)
        {
            session.Insert(AuditEntry.Of(found.HolderId, "login.factor_failed", now));
            return View(FactorStep(found, pending!, verified.Refusal), StatusCodes.Status422UnprocessableEntity);
        }
        var holder = await session.LoadAsync<HolderAccount>(found.HolderId, context.RequestAborted);
        session.Delete(found);
        if (holder is null) return View(new LoginForm("", "login.error.invalid", false, false), StatusCodes.Status422UnprocessableEntity);
        return await CompleteAsync(holder, found.ReturnTo, "login.ok_factor", context, session, bus, options.Value, now, logger);
    }

    /// <summary>"Sign in with a passkey": a challenge with no holder yet; the next page asks the browser for one of its passkeys.</summary>
    [WolverinePost("/login/passkey/start"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> StartPasskey([FromForm(Name = "next")] string? returnTo, HttpContext context, IMessageBus bus)
    {
        var opened = await bus.OpenPasskeySignInAsync(PasskeyContext, context.RequestAborted);
        return View(new LoginForm("", null, false, false, LocalPath.OrNull(returnTo)) { PasskeyChallenge = opened.ChallengeId.ToString() });
    }

    /// <summary>
    /// A passkey alone signs in a holder who chose it. It does not touch the password's lockout, so someone hammering the
    /// password cannot lock the holder out of this door. A passkey that is not allowed to sign in reads like any refusal.
    /// </summary>
    [WolverinePost("/login/passkey"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Passkey([FromForm] string? challenge, [FromForm] string? code, [FromForm(Name = "next")] string? returnTo, HttpContext context,
        IDocumentSession session, IMessageBus bus, IOptions<SessionOptions> options, TimeProvider clock, ILogger<LoginForm> logger)
    {
        returnTo = LocalPath.OrNull(returnTo);
        var now = clock.GetUtcNow();
        var identified = Guid.TryParse(challenge, out var id)
            ? await bus.IdentifyPasskeyHolderAsync(id, PasskeyContext, code, context.RequestAborted)
            : new Otp.Contracts.PasskeyHolderIdentified(null);
        var holder = identified.HolderId is { } holderId ? await session.LoadAsync<HolderAccount>(holderId, context.RequestAborted) : null;
        if (holder is null || !holder.PasskeySignIn)
        {
            if (holder is not null) session.Insert(AuditEntry.Of(holder.Id, "login.passkey_refused", now));
            logger.LogInformation("Passkey sign-in refused");
            return View(new LoginForm("", "login.error.passkey", false, false, returnTo), StatusCodes.Status422UnprocessableEntity);
        }
        return await CompleteAsync(holder, returnTo, "login.ok_passkey", context, session, bus, options.Value, now, logger);
    }

    /// <summary>The session of a holder who passed every step of sign-in: landing page, language, audit and the new-device e-mail.</summary>
    private static async Task<IResult> CompleteAsync(HolderAccount holder, string? returnTo, string audit, HttpContext context, IDocumentSession session, IMessageBus bus,
        SessionOptions settings, DateTimeOffset now, ILogger logger)
    {
        var id = holder.Id;
        // A page the holder was on (an OAuth consent) comes first; a landing the RAO left then waits for the next sign-in.
        var landing = returnTo ?? LocalPath.OrHome(holder.NextSignInPath);
        if (returnTo is null && holder.NextSignInPath is not null) session.Patch<HolderAccount>(id).Set(a => a.NextSignInPath, null);
        if (holder.Language != Kernel.Localization.Strings.Language) HolderLanguage.Choose(session, id, Kernel.Localization.Strings.Language, now);

        SessionCookie.Start(context, session, settings, new PortalSession
        {
            PrincipalId = holder.Id, DisplayName = holder.DisplayName, Role = Holder.HolderRole, CreatedAt = now, LastSeenAt = now,
        });
        session.Insert(AuditEntry.Of(id, audit, now));
        // A browser and address this holder never signed in from: they hear of it by e-mail (after this request, not during it).
        var device = Security.Devices.KeyOf(id, context);
        if (await session.LoadAsync<Security.KnownDevice>(device, context.RequestAborted) is null)
        {
            session.Store(new Security.KnownDevice { Id = device, FirstSeen = now });
            await bus.PublishAsync(new Security.NewDeviceSignedIn(id, Security.Devices.Describe(context), context.Connection.RemoteIpAddress?.ToString() ?? "?", now,
                Kernel.Localization.Strings.Language));
        }
        logger.LogInformation("Holder {HolderId} signed in", holder.Id);
        return Results.Redirect(landing);
    }

    private static LoginForm FactorStep(PendingSignIn pending, string token, string? error) =>
        new("", error, false, false, pending.ReturnTo) { Pending = token, Destination = pending.Destination, Passkey = pending.Passkey, Factor = pending.Factor };

    [WolverinePost(AccountPages.SignOut)]
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
