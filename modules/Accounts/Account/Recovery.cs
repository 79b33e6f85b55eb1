using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Mail;
using Microsoft.AspNetCore.DataProtection;
using MySign.Accounts.Sessions;
using MySign.Kernel.Localization;
using MySign.Kernel.Validation;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Account;

/// <summary>A recovery-mobile change in progress: an OTP to the current recovery mobile, then one to the new number.</summary>
public sealed class RecoveryMobileChange : Kernel.Documents.IHolderOwned
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string NewMobile { get; set; } = "";
    public Guid? CurrentChallengeId { get; set; }
    public Guid? NewChallengeId { get; set; }
    public bool Done { get; set; }
}

public sealed record RecoveryView(string Mode, string MaskedMobile, string Email, string Typed, string? ErrorKey, string? Field,
    Guid? ChangeId = null, string? Destination = null, string? Notice = null);

/// <summary>
/// Recovery information: the recovery mobile (OTP to the current one, then to the new one) and the recovery
/// e-mail (applies only when the link mailed to the new address is followed; the old address is told).
/// Both need the current password again: a fresh re-authentication.
/// </summary>
/// <summary>The recovery data forms, bound by Wolverine.</summary>
public sealed class RecoveryEmailForm
{
    public string? Email { get; set; }
    public string? Current { get; set; }
}

public sealed class RecoveryMobileForm
{
    public string? Mobile { get; set; }
    public string? Current { get; set; }
}

public static class RecoveryEndpoints
{
    public const string MobilePurpose = "account.recovery_mobile";
    public const string NewMobilePurpose = "account.recovery_mobile.new";
    public static readonly TimeSpan EmailLinkLifetime = TimeSpan.FromHours(24);

    public static RecoveryView ViewOf(HolderAccount h, string mode = "view", string typed = "", string? error = null, string? field = null, string? notice = null) =>
        new(mode, h.RecoveryMobile.Length > 0 ? MobileNumbers.Mask(h.RecoveryMobile) : "", h.Email, typed, error, field, Notice: notice);

    [WolverineGet("/account/recovery")]
    public static async Task<IResult> Get(HttpContext context, IQuerySession session, string? edit)
    {
        var holder = await AccountPageEndpoints.Load(session, context);
        return Box(ViewOf(holder, edit is "mobile" or "email" ? edit : "view"));
    }

    [WolverinePost("/account/recovery/email")]
    public static async Task<IResult> ChangeEmail([FromForm] RecoveryEmailForm form, HttpContext context, IDocumentSession session, IDataProtectionProvider protection,
        IMessageBus bus, SignInAttempts attempts, IOptions<SessionOptions> options, TimeProvider clock)
    {
        var holder = await AccountPageEndpoints.Load(session, context);
        var email = (form.Email ?? "").Trim();
        if (await attempts.CurrentPasswordProblemAsync(holder, (form.Current ?? ""), clock.GetUtcNow(), options.Value, context.RequestAborted) is { } wrong)
            return Box(ViewOf(holder, "email", email, wrong, "current"), StatusCodes.Status422UnprocessableEntity);
        if (!ValidEmail(email))
            return Box(ViewOf(holder, "email", email, "recovery.error.email", "email"), StatusCodes.Status422UnprocessableEntity);
        if (string.Equals(email, holder.Email, StringComparison.OrdinalIgnoreCase))
            return Box(ViewOf(holder, "email", email, "recovery.error.same_email", "email"), StatusCodes.Status422UnprocessableEntity);

        var now = clock.GetUtcNow();
        var token = AccountLinks.Issue(session, protection, holder.Id, "email", now + EmailLinkLifetime, newEmail: email);
        session.Insert(AuditEntry.Of(holder.Id, "recovery_email.requested", now));
        await bus.PublishAsync(new ConfirmEmailMail(token.Id, Strings.Language));
        if (holder.Email.Length > 0)
            await bus.PublishAsync(new EmailChangeNoticeMail(holder.Id, Strings.Language, holder.Email, email, AccountLinks.NotMe(session, protection, holder.Id, now)));
        return Box(ViewOf(holder, notice: Strings.Format("recovery.email_sent", email)));
    }

    [WolverineGet("/account/email/confirm"), AllowAnonymous]
    public static async Task<IResult> ConfirmEmail(string? token, HttpContext context, IDocumentSession session, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var found = string.IsNullOrEmpty(token) || token.Length > 100 ? null
            : await session.LoadAsync<AccountToken>(SessionAuthenticationHandler.HashToken(token), context.RequestAborted);
        var now = clock.GetUtcNow();
        if (found is not { Kind: "email", Used: false } || found.ExpiresAt <= now || found.NewEmail is null)
            return Confirmed(null, StatusCodes.Status410Gone);
        found.Used = true;
        session.Store(found);
        session.Patch<HolderAccount>(found.HolderId).Set(h => h.Email, found.NewEmail);
        session.Insert(AuditEntry.Of(found.HolderId, "recovery_email.changed", now));
        return Confirmed(found.NewEmail);
    }

    [WolverinePost("/account/recovery/mobile")]
    public static async Task<IResult> StartMobile([FromForm] RecoveryMobileForm form, HttpContext context, IDocumentSession session, IMessageBus bus, SignInAttempts attempts,
        IOptions<SessionOptions> options, TimeProvider clock)
    {
        var holder = await AccountPageEndpoints.Load(session, context);
        var typed = form.Mobile ?? "";
        if (await attempts.CurrentPasswordProblemAsync(holder, (form.Current ?? ""), clock.GetUtcNow(), options.Value, context.RequestAborted) is { } wrong)
            return Box(ViewOf(holder, "mobile", typed, wrong, "current"), StatusCodes.Status422UnprocessableEntity);
        var mobile = MobileNumbers.Normalise(typed);
        if (mobile is null)
            return Box(ViewOf(holder, "mobile", typed, "recovery.error.mobile", "mobile"), StatusCodes.Status422UnprocessableEntity);

        var change = new RecoveryMobileChange { Id = Guid.CreateVersion7(clock.GetUtcNow()), HolderId = holder.Id, NewMobile = mobile };
        // No recovery mobile yet: only the new number has to confirm.
        var (purpose, phone) = holder.RecoveryMobile.Length > 0 ? (MobilePurpose, holder.RecoveryMobile) : (NewMobilePurpose, mobile);
        var issued = await bus.SendOtpAsync(holder.Id, purpose, change.Id.ToString(), context.RequestAborted, phone);
        if (issued.Throttled) return Box(ViewOf(holder, "mobile", typed, issued.Wait, "mobile"), StatusCodes.Status429TooManyRequests);
        if (holder.RecoveryMobile.Length > 0) change.CurrentChallengeId = issued.ChallengeId; else change.NewChallengeId = issued.ChallengeId;
        session.Store(change);
        return Box(ViewOf(holder, change.CurrentChallengeId is null ? "mobile_new" : "mobile_current") with { ChangeId = change.Id, Destination = issued.MaskedDestination });
    }

    [WolverinePost("/account/recovery/mobile/{id}")]
    public static async Task<IResult> ConfirmMobile(Guid id, [FromForm(Name = "code")] string? typedCode, HttpContext context, IDocumentSession session, IMessageBus bus,
        IDataProtectionProvider protection, TimeProvider clock)
    {
        var change = await Kernel.Documents.HolderOwned.LoadOwnAsync<RecoveryMobileChange>(session, id, context);
        if (change is null || change.Done) return Results.NotFound();
        var holder = await AccountPageEndpoints.Load(session, context);
        var code = typedCode ?? "";
        var newStep = change.NewChallengeId is not null;
        var verified = await bus.CheckOtpAsync((newStep ? change.NewChallengeId : change.CurrentChallengeId)!.Value, holder.Id,
            newStep ? NewMobilePurpose : MobilePurpose, id.ToString(), code, context.RequestAborted);
        var mode = newStep ? "mobile_new" : "mobile_current";
        if (!verified.IsValid)
            return Box(ViewOf(holder, mode, "", verified.Refusal, "code") with { ChangeId = id }, StatusCodes.Status422UnprocessableEntity);

        if (!newStep)
        {
            var issued = await bus.SendOtpAsync(holder.Id, NewMobilePurpose, id.ToString(), context.RequestAborted, change.NewMobile);
            change.NewChallengeId = issued.ChallengeId;
            session.Store(change);
            return Box(ViewOf(holder, "mobile_new") with { ChangeId = id, Destination = issued.MaskedDestination });
        }
        change.Done = true;
        session.Store(change);
        session.Patch<HolderAccount>(holder.Id).Set(h => h.RecoveryMobile, change.NewMobile);
        var now = clock.GetUtcNow();
        session.Insert(AuditEntry.Of(holder.Id, "recovery_mobile.changed", now));
        await bus.PublishAsync(new RecoveryMobileChangedMail(holder.Id, Strings.Language, MobileNumbers.Mask(change.NewMobile), AccountLinks.NotMe(session, protection, holder.Id, now)));
        holder.RecoveryMobile = change.NewMobile;
        return Box(ViewOf(holder, notice: Strings.T("recovery.mobile_changed")));
    }

    private static bool ValidEmail(string email) =>
        email.Length is >= 6 and <= 254 && System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && email.Split('@')[1].Contains('.');

    public static HtmlView Box(RecoveryView view, int status = StatusCodes.Status200OK) =>
        new(typeof(RecoveryEndpoints).Assembly, "Account/Recovery", view, "account.title") { StatusCode = status };

    private static IResult Confirmed(string? email, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(RecoveryEndpoints).Assembly, "Account/EmailConfirmed", new { Email = email }, "account.title") { StatusCode = status, Partial = false };
}
