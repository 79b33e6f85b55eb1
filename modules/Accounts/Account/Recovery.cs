using Marten;
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
using MySign.Kernel.Documents;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

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

/// <summary>
/// Recovery information: the recovery mobile (OTP to the current one, then to the new one) and the recovery
/// e-mail (applies only when the link mailed to the new address is followed; the old address is told).
/// Both need the current password again: a fresh re-authentication.
/// </summary>
public static class RecoveryBox
{
    public const string MobilePurpose = "account.recovery_mobile";
    public const string NewMobilePurpose = "account.recovery_mobile.new";
    public static readonly TimeSpan EmailLinkLifetime = TimeSpan.FromHours(24);

    public static Task<HolderAccount> LoadAsync(IQuerySession session, HttpContext context) => OwnAccount.LoadAsync(session, context);

    [WolverineGet("/account/recovery")]
    public static IResult Get([NotBody] HolderAccount holder, string? edit) => Of(ViewOf(holder, edit is "mobile" or "email" ? edit : "view"));

    public static RecoveryView ViewOf(HolderAccount h, string mode = "view", string typed = "", string? error = null, string? field = null, string? notice = null) =>
        new(mode, h.RecoveryMobile.Length > 0 ? MobileNumbers.Mask(h.RecoveryMobile) : "", h.Email, typed, error, field, Notice: notice);

    public static HtmlView Of(RecoveryView view, int status = StatusCodes.Status200OK) =>
        new(typeof(RecoveryBox).Assembly, "Account/Recovery", view, "account.title") { StatusCode = status };
}

/// <summary>A new recovery e-mail: a link to the new address (it applies only when followed), and a notice with "this wasn't me" to the old one.</summary>
public static class ChangeRecoveryEmail
{
    public static Task<HolderAccount> LoadAsync(IQuerySession session, HttpContext context) => OwnAccount.LoadAsync(session, context);

    [WolverinePost("/account/recovery/email")]
    public static async Task<(IResult, IMartenOp, IMartenOp, OutgoingMessages)> Post([FromForm] RecoveryEmailForm form, [NotBody] HolderAccount holder, HttpContext context,
        IDataProtectionProvider protection, SignInAttempts attempts, IOptions<SessionOptions> options, TimeProvider clock)
    {
        var email = (form.Email ?? "").Trim();
        var now = clock.GetUtcNow();
        if (await attempts.CurrentPasswordProblemAsync(holder, form.Current ?? "", now, options.Value, context.RequestAborted) is { } wrong)
            return OwnAccount.Unchanged(RecoveryBox.Of(RecoveryBox.ViewOf(holder, "email", email, wrong, "current"), StatusCodes.Status422UnprocessableEntity));
        if (AccountRules.RecoveryEmailProblem(email, holder.Email) is { } problem)
            return OwnAccount.Unchanged(RecoveryBox.Of(RecoveryBox.ViewOf(holder, "email", email, problem, "email"), StatusCodes.Status422UnprocessableEntity));

        var link = AccountLinks.New(protection, holder.Id, "email", now + RecoveryBox.EmailLinkLifetime, newEmail: email);
        List<object> written = [link, AuditEntry.Of(holder.Id, "recovery_email.requested", now)];
        var messages = new OutgoingMessages { new ConfirmEmailMail(link.Id, Strings.Language) };
        if (holder.Email.Length > 0)
        {
            var notMe = AccountLinks.NewNotMe(protection, holder.Id, now);
            written.Add(notMe);
            messages.Add(new EmailChangeNoticeMail(holder.Id, Strings.Language, holder.Email, email, notMe.Id));
        }
        return (RecoveryBox.Of(RecoveryBox.ViewOf(holder, notice: Strings.Format("recovery.email_sent", email))),
            MartenOps.DeleteWhere<AccountToken>(t => t.HolderId == holder.Id && t.Kind == "email"), MartenOps.StoreObjects([.. written]), messages);
    }
}

/// <summary>The link mailed to a new recovery e-mail: followed once within 24 hours, the address becomes the holder's.</summary>
public static class ConfirmRecoveryEmail
{
    public static async Task<AccountToken?> LoadAsync(string? token, HttpContext context, IQuerySession session, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var found = string.IsNullOrEmpty(token) || token.Length > 100 ? null
            : await session.LoadAsync<AccountToken>(SessionAuthenticationHandler.HashToken(token), context.RequestAborted);
        return found is { Kind: "email", Used: false, NewEmail: not null } && found.ExpiresAt > clock.GetUtcNow() ? found : null;
    }

    public static IResult Validate(AccountToken? found) => found is null ? Confirmed(null, StatusCodes.Status410Gone) : WolverineContinue.Result();

    [WolverineGet("/account/email/confirm"), AllowAnonymous]
    public static async Task<(IResult, IMartenOp, IMartenOp)> Get([NotBody] AccountToken found, IDocumentSession session, TimeProvider clock,
        CancellationToken cancellation)
    {
        // Spent first: a mail scanner and the holder opening the link at once change the address once.
        if (!await AccountLinks.SpendAsync(session, found, cancellation)) return (Confirmed(null, StatusCodes.Status410Gone), MartenOps.Nothing(), MartenOps.Nothing());
        return (Confirmed(found.NewEmail), new PatchAccount(found.HolderId, p => p.Set(h => h.Email, found.NewEmail!)),
            MartenOps.Insert(AuditEntry.Of(found.HolderId, "recovery_email.changed", clock.GetUtcNow())));
    }

    private static IResult Confirmed(string? email, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(ConfirmRecoveryEmail).Assembly, "Account/EmailConfirmed", new { Email = email }, "account.title") { StatusCode = status, Partial = false };
}

/// <summary>A new recovery mobile, step one: the current password, then a code to the current recovery mobile (or, with none yet, to the new one).</summary>
public static class StartRecoveryMobile
{
    public static Task<HolderAccount> LoadAsync(IQuerySession session, HttpContext context) => OwnAccount.LoadAsync(session, context);

    [WolverinePost("/account/recovery/mobile")]
    public static async Task<(IResult, IMartenOp)> Post([FromForm] RecoveryMobileForm form, [NotBody] HolderAccount holder, HttpContext context, IMessageBus bus,
        SignInAttempts attempts, IOptions<SessionOptions> options, TimeProvider clock)
    {
        var typed = form.Mobile ?? "";
        if (await attempts.CurrentPasswordProblemAsync(holder, form.Current ?? "", clock.GetUtcNow(), options.Value, context.RequestAborted) is { } wrong)
            return Refused(RecoveryBox.ViewOf(holder, "mobile", typed, wrong, "current"), StatusCodes.Status422UnprocessableEntity);
        if (MobileNumbers.Normalise(typed) is not { } mobile)
            return Refused(RecoveryBox.ViewOf(holder, "mobile", typed, "recovery.error.mobile", "mobile"), StatusCodes.Status422UnprocessableEntity);

        var change = new RecoveryMobileChange { Id = Guid.CreateVersion7(clock.GetUtcNow()), HolderId = holder.Id, NewMobile = mobile };
        // No recovery mobile yet: only the new number has to confirm.
        var (purpose, phone) = holder.RecoveryMobile.Length > 0 ? (RecoveryBox.MobilePurpose, holder.RecoveryMobile) : (RecoveryBox.NewMobilePurpose, mobile);
        var issued = await bus.SendOtpAsync(holder.Id, purpose, change.Id.ToString(), context.RequestAborted, phone);
        if (issued.Throttled) return Refused(RecoveryBox.ViewOf(holder, "mobile", typed, issued.Wait, "mobile"), StatusCodes.Status429TooManyRequests);
        if (holder.RecoveryMobile.Length > 0) change.CurrentChallengeId = issued.ChallengeId; else change.NewChallengeId = issued.ChallengeId;
        return (RecoveryBox.Of(RecoveryBox.ViewOf(holder, change.CurrentChallengeId is null ? "mobile_new" : "mobile_current") with
            { ChangeId = change.Id, Destination = issued.MaskedDestination }), MartenOps.Store(change));
    }

    private static (IResult, IMartenOp) Refused(RecoveryView view, int status) => (RecoveryBox.Of(view, status), MartenOps.Nothing());
}

/// <summary>A new recovery mobile, the codes: the current mobile's (then a code goes to the new number), and the new number's, which makes it the recovery mobile.</summary>
public static class ConfirmRecoveryMobile
{
    public static async Task<(RecoveryMobileChange?, HolderAccount)> LoadAsync(Guid id, HttpContext context, IQuerySession session) =>
        (await session.LoadOwnAsync<RecoveryMobileChange>(id, context), await OwnAccount.LoadAsync(session, context));

    public static IResult Validate(RecoveryMobileChange? change) => change is null || change.Done ? Results.NotFound() : WolverineContinue.Result();

    [WolverinePost("/account/recovery/mobile/{id}")]
    public static async Task<(IResult, IMartenOp, IMartenOp, OutgoingMessages)> Post([FromForm(Name = "code")] string? typedCode, [NotBody] RecoveryMobileChange change,
        [NotBody] HolderAccount holder, HttpContext context, IMessageBus bus, IDataProtectionProvider protection, TimeProvider clock)
    {
        var newStep = change.NewChallengeId is not null;
        var verified = await bus.CheckOtpAsync((newStep ? change.NewChallengeId : change.CurrentChallengeId)!.Value, holder.Id,
            newStep ? RecoveryBox.NewMobilePurpose : RecoveryBox.MobilePurpose, change.Id.ToString(), typedCode ?? "", context.RequestAborted);
        if (!verified.IsValid)
            return OwnAccount.Unchanged(RecoveryBox.Of(RecoveryBox.ViewOf(holder, newStep ? "mobile_new" : "mobile_current", "", verified.Refusal, "code") with { ChangeId = change.Id },
                StatusCodes.Status422UnprocessableEntity));
        if (!newStep)
        {
            var issued = await bus.SendOtpAsync(holder.Id, RecoveryBox.NewMobilePurpose, change.Id.ToString(), context.RequestAborted, change.NewMobile);
            change.NewChallengeId = issued.ChallengeId;
            return (RecoveryBox.Of(RecoveryBox.ViewOf(holder, "mobile_new") with { ChangeId = change.Id, Destination = issued.MaskedDestination }),
                MartenOps.Store(change), MartenOps.Nothing(), []);
        }
        change.Done = true;
        var now = clock.GetUtcNow();
        var notMe = AccountLinks.NewNotMe(protection, holder.Id, now);
        holder.RecoveryMobile = change.NewMobile;
        return (RecoveryBox.Of(RecoveryBox.ViewOf(holder, notice: Strings.T("recovery.mobile_changed"))),
            new PatchAccount(holder.Id, p => p.Set(h => h.RecoveryMobile, change.NewMobile)),
            MartenOps.StoreObjects(change, AuditEntry.Of(holder.Id, "recovery_mobile.changed", now), notMe),
            [new RecoveryMobileChangedMail(holder.Id, Strings.Language, MobileNumbers.Mask(change.NewMobile), notMe.Id)]);
    }
}
