using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Mail;
using Microsoft.AspNetCore.DataProtection;
using MySign.Accounts.Sessions;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Recovery;

/// <summary>Queued so the page answers at once and the same way whether the User ID exists or not.</summary>
public sealed record PasswordResetRequested(string HolderId, string Language);

public sealed record ForgotView(string UserId, bool Sent);
public sealed record ResetView(string Token, string? ErrorKey, string State);

/// <summary>The new-password form reached from the mailed link, bound by Wolverine.</summary>
public sealed class NewPasswordForm
{
    public string? Token { get; set; }
    public string? Password { get; set; }
    public string? Confirm { get; set; }
}

public static class ForgotPasswordEndpoints
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(30);

    [WolverineGet("/forgot-password"), AllowAnonymous]
    public static IResult Get() => View(new ForgotView("", false));

    [WolverinePost("/forgot-password"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<IResult> Post([FromForm(Name = "user_id")] string? userId, HttpContext context, IQuerySession session, IMessageBus bus)
    {
        var id = (userId ?? "").Trim().ToLowerInvariant();
        var holder = id.Length is > 0 and <= 64 ? await session.LoadAsync<HolderAccount>(id, context.RequestAborted) : null;
        if (holder is not null && holder.Email.Length > 0) await bus.PublishAsync(new PasswordResetRequested(holder.Id, Strings.Language));
        // The same page, byte for byte, whatever the User ID: it does not even echo what was typed.
        return View(new ForgotView("", true));
    }

    [WolverineGet("/reset-password"), AllowAnonymous]
    public static async Task<IResult> Reset(string? token, HttpContext context, IQuerySession session, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer"; // the token is in this page's URL
        var valid = await Valid(session, token, clock, context.RequestAborted);
        return ResetPage(new ResetView(token ?? "", null, valid is null ? "invalid" : "form"), valid is null ? StatusCodes.Status410Gone : StatusCodes.Status200OK);
    }

    [WolverinePost("/reset-password"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<IResult> SetPassword([FromForm] NewPasswordForm form, HttpContext context, IDocumentSession session, IDataProtectionProvider protection,
        SignInAttempts attempts, IMessageBus bus, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var token = form.Token ?? "";
        var found = await Valid(session, token, clock, context.RequestAborted);
        if (found is null) return ResetPage(new ResetView("", null, "invalid"), StatusCodes.Status410Gone);
        var holder = (await session.LoadAsync<HolderAccount>(found.HolderId, context.RequestAborted))!;
        var password = form.Password ?? "";
        var problem = PasswordPolicy.Problem(password, holder.Id) ?? (password != (form.Confirm ?? "") ? "password.error.confirm" : null);
        if (problem is not null) return ResetPage(new ResetView(token, problem, "form"), StatusCodes.Status422UnprocessableEntity);

        var hash = Passwords.Hash(password);
        // Spent first: a second submission of the link at the same time finds it spent and sets nothing.
        if (!await AccountLinks.SpendAsync(session, found, context.RequestAborted)) return ResetPage(new ResetView("", null, "invalid"), StatusCodes.Status410Gone);
        var now = clock.GetUtcNow();
        session.Patch<HolderAccount>(holder.Id).Set(h => h.PasswordHash, hash);
        // Every session of the holder ends: whoever knew the old password is out.
        session.DeleteWhere<PortalSession>(s => s.PrincipalId == holder.Id);
        session.Insert(AuditEntry.Of(holder.Id, "password.reset", now));
        await bus.PublishAsync(new HolderCredentialsChanged(holder.Id, now)); // and every CSC token
        await attempts.ClearAsync(holder.Id, context.RequestAborted); // a locked-out holder who proved the mailbox may sign in again
        await bus.PublishAsync(new PasswordChangedMail(holder.Id, Strings.Language, AccountLinks.NotMe(session, protection, holder.Id, now)));
        return ResetPage(new ResetView("", null, "done"));
    }

    private static async Task<AccountToken?> Valid(IQuerySession session, string? token, TimeProvider clock, CancellationToken cancellation)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        var found = await session.LoadAsync<AccountToken>(SessionAuthenticationHandler.HashToken(token), cancellation);
        return found is { Kind: "reset", Used: false } && found.ExpiresAt > clock.GetUtcNow() ? found : null;
    }

    private static IResult View(ForgotView view) =>
        new HtmlView(typeof(ForgotPasswordEndpoints).Assembly, "Recovery/Forgot", view, "forgot.title") { Partial = false };

    private static IResult ResetPage(ResetView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(ForgotPasswordEndpoints).Assembly, "Recovery/Reset", view, "reset.title") { Partial = false, StatusCode = status };
}

/// <summary>
/// Makes the reset link for the recovery e-mail (any earlier reset link stops working). The token and the mail's message are
/// saved together with this message marked handled: the mail's own handler sends that link, the same one however often it runs.
/// </summary>
public static class PasswordResetRequestedHandler
{
    public static async Task<ResetLinkMail?> Handle(PasswordResetRequested request, IDocumentSession session, IDataProtectionProvider protection, TimeProvider clock,
        CancellationToken cancellation)
    {
        var holder = await session.LoadAsync<HolderAccount>(request.HolderId, cancellation);
        if (holder is null) return null;
        var now = clock.GetUtcNow();
        var token = AccountLinks.Issue(session, protection, holder.Id, "reset", now + ForgotPasswordEndpoints.LinkLifetime);
        session.Insert(AuditEntry.Of(holder.Id, "password.reset_requested", now));
        return new ResetLinkMail(token.Id, request.Language);
    }
}
