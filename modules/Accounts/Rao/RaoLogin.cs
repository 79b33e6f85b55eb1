using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Mail;
using MySign.Accounts.Sessions;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Rao;

public sealed record RaoLoginView(string Step, string Username, string Pending, string? ErrorKey, string? Destination, bool Expired, bool LoggedOut);

/// <summary>
/// RAO sign-in: username and password (lockout as for holders), then an OTP to the operator's phone. Between
/// the two steps the form carries a random token whose hash names the pending sign-in; nothing else is trusted.
/// </summary>
/// <summary>The RAO sign-in forms, bound by Wolverine.</summary>
public sealed class RaoCredentialsForm
{
    public string? Username { get; set; }
    public string? Password { get; set; }
}

public sealed class RaoOtpForm
{
    public string? Pending { get; set; }
    public string? Code { get; set; }
}

public sealed class RaoPasswordForm
{
    public string? Pending { get; set; }
    [FromForm(Name = "new")] public string? New { get; set; }
    public string? Confirm { get; set; }
}

public static class RaoLoginEndpoints
{
    public const string Purpose = "rao.login";
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(5);

    [WolverineGet("/rao/login"), AllowAnonymous]
    public static IResult Get(string? expired, string? bye) => View(new RaoLoginView("credentials", "", "", null, null, expired == "1", bye == "1"));

    [WolverinePost("/rao/login"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Post([FromForm] RaoCredentialsForm form, HttpContext context, IDocumentSession session, IMessageBus bus, SignInAttempts attempts,
        IOptions<SessionOptions> options, TimeProvider clock, ILogger<RaoLoginView> logger)
    {
        var typed = (form.Username ?? "").Trim();
        var password = form.Password ?? "";
        if (typed.Length == 0 || password.Length == 0)
            return View(new RaoLoginView("credentials", typed, "", "login.error.required", null, false, false), StatusCodes.Status422UnprocessableEntity);

        var now = clock.GetUtcNow();
        var id = typed.ToLowerInvariant();
        var op = id.Length <= 64 ? await session.LoadAsync<RaoOperator>(id, context.RequestAborted) : null;
        if (op is { Disabled: true }) op = null; // a disabled operator reads exactly like an unknown one
        var outcome = await attempts.CheckAsync(op?.OtpSubject ?? "", op?.PasswordHash, password, now, options.Value, context.RequestAborted);
        if (outcome != SignInOutcome.Success)
        {
            if (op is not null) session.Insert(AuditEntry.ByRao(op.OtpSubject, outcome == SignInOutcome.Locked ? "rao.login.locked" : "rao.login.failed", now, op.Id, op.Office));
            logger.LogInformation("RAO sign-in refused ({Outcome})", outcome);
            return View(new RaoLoginView("credentials", typed, "", "rao.login.error.invalid", null, false, false), StatusCodes.Status422UnprocessableEntity);
        }

        var (token, hash) = AccountLinks.NewToken();
        // The operator's phone is this module's record; the Otp module is told it (idempotently) before each code.
        await bus.RegisterOtpPhoneAsync(op!.OtpSubject, op.Mobile, context.RequestAborted);
        var issued = await bus.SendOtpAsync(op.OtpSubject, Purpose, hash, context.RequestAborted);
        if (issued.Throttled)
            return View(new RaoLoginView("credentials", typed, "", issued.Wait, null, false, false), StatusCodes.Status429TooManyRequests);
        session.Insert(new RaoLoginChallenge { Id = hash, OperatorId = op.Id, ChallengeId = issued.ChallengeId, ExpiresAt = now + PendingLifetime });
        return View(new RaoLoginView("otp", typed, token, null, issued.Destination, false, false));
    }

    [WolverinePost("/rao/login/otp"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Confirm([FromForm] RaoOtpForm form, HttpContext context, IDocumentSession session, IMessageBus bus, IOptions<SessionOptions> options,
        TimeProvider clock, ILogger<RaoLoginView> logger)
    {
        var token = form.Pending ?? "";
        var now = clock.GetUtcNow();
        var (pending, op) = await Pending(session, token, now, context.RequestAborted);
        if (pending is null || op is null)
            return View(new RaoLoginView("credentials", "", "", "rao.login.error.restart", null, false, false), StatusCodes.Status422UnprocessableEntity);

        var verified = await bus.CheckOtpAsync(pending.ChallengeId, op.OtpSubject, Purpose, pending.Id, form.Code, context.RequestAborted);
        if (!verified.IsValid)
        {
            session.Insert(AuditEntry.ByRao(op.OtpSubject, "rao.login.otp_refused", now, op.Id, op.Office));
            return View(new RaoLoginView("otp", op.Id, token, verified.Refusal, null, false, false), StatusCodes.Status422UnprocessableEntity);
        }

        if (op.MustChangePassword)
        {
            // Reset by the TSP: the temporary password got this far; the session starts once a new one is chosen.
            pending.OtpConfirmed = true;
            session.Store(pending);
            return View(new RaoLoginView("password", op.Id, token, null, null, false, false));
        }
        return StartSession(context, session, options.Value, pending, op, now, logger);
    }

    /// <summary>After a reset: the new password (the holders' rules), then the session.</summary>
    [WolverinePost("/rao/login/password"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> ChoosePassword([FromForm] RaoPasswordForm form, HttpContext context, IDocumentSession session, IOptions<SessionOptions> options, TimeProvider clock,
        ILogger<RaoLoginView> logger)
    {
        var token = form.Pending ?? "";
        var now = clock.GetUtcNow();
        var (pending, op) = await Pending(session, token, now, context.RequestAborted);
        if (pending is not { OtpConfirmed: true } || op is not { MustChangePassword: true })
            return View(new RaoLoginView("credentials", "", "", "rao.login.error.restart", null, false, false), StatusCodes.Status422UnprocessableEntity);
        var password = form.New ?? "";
        var problem = PasswordPolicy.Problem(password, op.Id) ?? (password != (form.Confirm ?? "") ? "password.error.confirm" : null);
        if (problem is not null) return View(new RaoLoginView("password", op.Id, token, problem, null, false, false), StatusCodes.Status422UnprocessableEntity);
        op.PasswordHash = Passwords.Hash(password);
        op.MustChangePassword = false;
        session.Store(op);
        session.Insert(AuditEntry.ByRao(op.OtpSubject, "rao.password.changed", now, op.Id, op.Office));
        return StartSession(context, session, options.Value, pending, op, now, logger);
    }

    private static IResult StartSession(HttpContext context, IDocumentSession session, SessionOptions options, RaoLoginChallenge pending, RaoOperator op,
        DateTimeOffset now, ILogger logger)
    {
        session.Delete(pending);
        SessionCookie.Start(context, session, options, new PortalSession
        {
            PrincipalId = op.Id, DisplayName = op.FullName, Role = Holder.RaoRole, Office = op.Office, CreatedAt = now, LastSeenAt = now,
        });
        session.Insert(AuditEntry.ByRao(op.OtpSubject, "rao.login.ok", now, op.Id, op.Office));
        logger.LogInformation("RAO operator {OperatorId} signed in", op.Id);
        return Results.Redirect("/rao");
    }

    [WolverinePost("/rao/login/resend"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Resend([FromForm(Name = "pending")] string? token, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        token ??= "";
        var (pending, op) = await Pending(session, token, clock.GetUtcNow(), context.RequestAborted);
        if (pending is null || op is null)
            return View(new RaoLoginView("credentials", "", "", "rao.login.error.restart", null, false, false), StatusCodes.Status422UnprocessableEntity);
        var issued = await bus.SendOtpAsync(op.OtpSubject, Purpose, pending.Id, context.RequestAborted);
        if (issued.Throttled)
            return View(new RaoLoginView("otp", op.Id, token, issued.Wait, null, false, false), StatusCodes.Status429TooManyRequests);
        pending.ChallengeId = issued.ChallengeId;
        session.Store(pending);
        return View(new RaoLoginView("otp", op.Id, token, null, issued.Destination, false, false));
    }

    [WolverinePost("/rao/logout")]
    public static IResult Logout(HttpContext context, IDocumentSession session, IOptions<SessionOptions> options)
    {
        SessionCookie.End(context, session, options.Value);
        return Results.Redirect("/rao/login?bye=1");
    }

    private static async Task<(RaoLoginChallenge?, RaoOperator?)> Pending(IQuerySession session, string token, DateTimeOffset now, CancellationToken cancellation)
    {
        if (token.Length is 0 or > 100) return (null, null);
        var pending = await session.LoadAsync<RaoLoginChallenge>(SessionAuthenticationHandler.HashToken(token), cancellation);
        if (pending is null || pending.ExpiresAt <= now) return (null, null);
        var op = await session.LoadAsync<RaoOperator>(pending.OperatorId, cancellation);
        return op is { Disabled: false } ? (pending, op) : (null, null);
    }

    private static IResult View(RaoLoginView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(RaoLoginEndpoints).Assembly, "Rao/Login", view, "rao.login.title") { StatusCode = status, Partial = false };
}
