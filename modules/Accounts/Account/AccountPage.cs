using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MySign.Accounts.Contracts;
using Wolverine.Marten;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Sessions;
using Wolverine;
using MySign.Accounts.Mail;
using Microsoft.AspNetCore.DataProtection;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine.Http;

namespace MySign.Accounts.Account;

public sealed record FieldError(string Field, string Key);

public sealed record PersonalView(bool Editing, string UserId, string FirstName, string LastName, string FiscalCode,
    string Address, string PostCode, string City, string Province, string Country, IReadOnlyDictionary<string, string> Errors, bool Updated);

public sealed record AccessView(bool Editing, string UserId, string? ErrorKey, bool Updated);

public sealed record ActivityRow(DateTimeOffset At, string WhatKey);
public sealed record AccountPageView(RawHtmlBoxes Boxes, IReadOnlyList<ActivityRow> Activity, bool RemindersOn = true, bool RemindersSaved = false,
    IReadOnlyList<DeviceRow>? Devices = null, SignInView? SignIn = null);

/// <summary>The sign-in settings as the form shows them (what was ticked is kept when the password was wrong).</summary>
/// <param name="Passkeys">How many passkeys the holder has (Otp's answer): a passkey alone is offered only with one.</param>
public sealed record SignInView(bool Factor, bool Passkey, bool Saved, string? ErrorKey, int Passkeys = 0);

/// <summary>A session signed in to the holder's account, as the devices list shows it.</summary>
public sealed record DeviceRow(string Id, string Device, string Address, DateTimeOffset LastSeenAt, bool Current);
public sealed record RawHtmlBoxes(Kernel.Rendering.RawHtml Personal, Kernel.Rendering.RawHtml Access, Kernel.Rendering.RawHtml Recovery);

/// <summary>The "Access information" form (current password, new one twice), bound by Wolverine.</summary>
public sealed class PasswordChangeForm
{
    public string? Current { get; set; }
    [FromForm(Name = "new")] public string? New { get; set; }
    public string? Confirm { get; set; }
}

/// <summary>The "Personal information" form: the residence (name and fiscal code are the registration's, not editable here).</summary>
public sealed class PersonalForm
{
    public string? Address { get; set; }
    [FromForm(Name = "post_code")] public string? PostCode { get; set; }
    public string? City { get; set; }
    public string? Province { get; set; }
    public string? Country { get; set; }
}

/// <summary>The signed-in holder's account: what every slice of "Manage your account" loads first.</summary>
internal static class OwnAccount
{
    public static async Task<HolderAccount> LoadAsync(IQuerySession session, HttpContext context) =>
        await session.LoadAsync<HolderAccount>(context.HolderId(), context.RequestAborted)
        ?? throw new InvalidOperationException("The signed-in holder has no account.");

    public static (IResult, IMartenOp, IMartenOp, OutgoingMessages) Unchanged(IResult page) => (page, MartenOps.Nothing(), MartenOps.Nothing(), []);
}

/// <summary>
/// "Manage your account": personal, access and recovery information, the sign-in settings, the devices signed in,
/// reminders, and recent activity from the audit trail. Each box is its own slice; a form's change is one write.
/// </summary>
public static class ManageAccountPage
{
    public static Task<HolderAccount> LoadAsync(IQuerySession session, HttpContext context) => OwnAccount.LoadAsync(session, context);

    [WolverineGet("/account")]
    public static Task<IResult> Get([NotBody] HolderAccount holder, HttpContext context, IQuerySession session, IMessageBus bus, string? saved) =>
        PageAsync(holder, context, session, bus, saved, new SignInView(holder.FactorAtSignIn, holder.PasskeySignIn, saved == "signin", null));

    public static async Task<IResult> PageAsync(HolderAccount holder, HttpContext context, IQuerySession session, IMessageBus bus, string? saved, SignInView signIn,
        int status = StatusCodes.Status200OK)
    {
        signIn = signIn with { Passkeys = (await bus.OtpFactorAsync(holder.Id, context.RequestAborted)).Passkeys };
        var activity = await session.Query<AuditEntry>().Where(a => a.HolderId == holder.Id).OrderByDescending(a => a.At).Take(10).ToListAsync(context.RequestAborted);
        var current = context.User.FindFirst(Holder.SessionIdClaim)?.Value;
        var devices = (await session.Query<PortalSession>().Where(s => s.PrincipalId == holder.Id).ToListAsync(context.RequestAborted))
            .OrderByDescending(s => s.Id == current).ThenByDescending(s => s.LastSeenAt)
            .Select(s => new DeviceRow(s.Id, s.Device.Length > 0 ? s.Device : "?", s.Address, s.LastSeenAt, s.Id == current)).ToList();
        var boxes = new RawHtmlBoxes(
            PersonalInformation.Box(holder, false, new Dictionary<string, string>(), false).RenderFragment(context),
            AccessInformation.Box(new AccessView(false, holder.Id, null, false)).RenderFragment(context),
            RecoveryBox.Of(RecoveryBox.ViewOf(holder)).RenderFragment(context));
        return new HtmlView(typeof(ManageAccountPage).Assembly, "Account/Page",
            new AccountPageView(boxes, activity.Select(a => new ActivityRow(a.At, "audit." + a.What)).ToList(), !holder.RemindersOff, saved == "reminders", devices, signIn),
            "account.title") { Partial = false, StatusCode = status };
    }
}

/// <summary>
/// Sign-in settings: a second factor after the password, and sign-in with a passkey alone. Confirmed with the current
/// password (counted toward the lockout like every password prompt) and told by e-mail with "this wasn't me".
/// </summary>
public static class SignInSettings
{
    public static Task<HolderAccount> LoadAsync(IQuerySession session, HttpContext context) => OwnAccount.LoadAsync(session, context);

    [WolverinePost("/account/sign-in"), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.Login)]
    public static async Task<(IResult, IMartenOp, IMartenOp, OutgoingMessages)> Post([FromForm] string? factor, [FromForm] string? passkey, [FromForm] string? password,
        [NotBody] HolderAccount holder, HttpContext context, IQuerySession session, SignInAttempts attempts, IOptions<SessionOptions> options,
        IDataProtectionProvider protection, IMessageBus bus, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var wanted = new SignInView(factor == "on", passkey == "on", false, null);
        // Otp is asked how many passkeys the holder has only when the answer matters: a passkey alone newly ticked.
        var problem = await attempts.CurrentPasswordProblemAsync(holder, password ?? "", now, options.Value, context.RequestAborted)
            ?? AccountRules.SignInProblem(holder, wanted.Passkey,
                wanted.Passkey && !holder.PasskeySignIn ? (await bus.OtpFactorAsync(holder.Id, context.RequestAborted)).Passkeys : 0);
        if (problem is not null)
            return OwnAccount.Unchanged(await ManageAccountPage.PageAsync(holder, context, session, bus, null, wanted with { ErrorKey = problem }, StatusCodes.Status422UnprocessableEntity));
        var saved = Results.Redirect("/account?saved=signin#signin-title");
        if (wanted.Factor == holder.FactorAtSignIn && wanted.Passkey == holder.PasskeySignIn) return OwnAccount.Unchanged(saved);
        var notMe = AccountLinks.NewNotMe(protection, holder.Id, now);
        return (saved, new PatchAccount(holder.Id, p => p.Set(h => h.FactorAtSignIn, wanted.Factor).Set(h => h.PasskeySignIn, wanted.Passkey)),
            MartenOps.StoreObjects(AuditEntry.Of(holder.Id, "signin.changed", now), notMe),
            [new SignInChangedMail(holder.Id, Strings.Language, wanted.Factor, wanted.Passkey, notMe.Id)]);
    }
}

/// <summary>Signs one of the holder's other sessions out (someone else's session id reads as unknown).</summary>
public static class EndOtherSession
{
    public static async Task<PortalSession?> LoadAsync(string id, HttpContext context, IQuerySession session) =>
        id.Length <= 100 && await session.LoadAsync<PortalSession>(id, context.RequestAborted) is { } found && found.PrincipalId == context.HolderId() ? found : null;

    public static IResult Validate(PortalSession? found) => found is null ? Results.NotFound() : WolverineContinue.Result();

    [WolverinePost("/account/sessions/{id}/end")]
    public static (IResult, IMartenOp, IMartenOp) Post([NotBody] PortalSession found, TimeProvider clock) =>
        (Results.Redirect("/account#devices-title"), MartenOps.Delete(found), MartenOps.Insert(AuditEntry.Of(found.PrincipalId, "session.ended", clock.GetUtcNow())));
}

/// <summary>Expiry and payment reminders on or off (the checkbox is absent from the form when unticked).</summary>
public static class ReminderSetting
{
    [WolverinePost("/account/reminders")]
    public static (IResult, IMartenOp) Post([FromForm] string? reminders, HttpContext context) =>
        (Results.Redirect("/account?saved=reminders#reminders-title"), new PatchAccount(context.HolderId(), p => p.Set(a => a.RemindersOff, reminders != "on")));
}

/// <summary>"Personal information": shown, edited in place, saved as one write of the fields it owns.</summary>
public static class PersonalInformation
{
    public static Task<HolderAccount> LoadAsync(IQuerySession session, HttpContext context) => OwnAccount.LoadAsync(session, context);

    [WolverineGet("/account/personal")]
    public static IResult Get([NotBody] HolderAccount holder, string? edit) => Box(holder, edit == "1", new Dictionary<string, string>(), false);

    [WolverinePost("/account/personal")]
    public static (IResult, IMartenOp, IMartenOp) Post([FromForm] PersonalForm form, [NotBody] HolderAccount holder, TimeProvider clock)
    {
        static string Trimmed(string? value) => (value ?? "").Trim();
        var typed = new HolderAccount
        {
            Id = holder.Id, FirstName = holder.FirstName, LastName = holder.LastName, FiscalCode = holder.FiscalCode,
            Address = Trimmed(form.Address), PostCode = Trimmed(form.PostCode), City = Trimmed(form.City),
            Province = Trimmed(form.Province).ToUpperInvariant(), Country = Trimmed(form.Country).ToUpperInvariant(),
        };
        var errors = AccountRules.PersonalProblems(typed);
        if (errors.Count > 0) return (Box(typed, true, errors, false, StatusCodes.Status422UnprocessableEntity), MartenOps.Nothing(), MartenOps.Nothing());
        // Only these fields can change here; anything else posted (holder id, e-mail, status) is ignored.
        return (Box(typed, false, errors, true),
            new PatchAccount(holder.Id, p => p.Set(h => h.Address, typed.Address).Set(h => h.PostCode, typed.PostCode).Set(h => h.City, typed.City)
                .Set(h => h.Province, typed.Province).Set(h => h.Country, typed.Country)),
            MartenOps.Insert(AuditEntry.Of(holder.Id, "personal.updated", clock.GetUtcNow())));
    }

    public static HtmlView Box(HolderAccount h, bool editing, IReadOnlyDictionary<string, string> errors, bool updated, int status = StatusCodes.Status200OK) =>
        new(typeof(PersonalInformation).Assembly, "Account/Personal",
            new PersonalView(editing, h.Id, h.FirstName, h.LastName, h.FiscalCode, h.Address, h.PostCode, h.City, h.Province, h.Country, errors, updated),
            "account.title") { StatusCode = status };
}

/// <summary>
/// "Access information": the password, changed with the current one. The holder's other sessions end, client software
/// loses its tokens, and the holder is told by e-mail with "this wasn't me".
/// </summary>
public static class AccessForm
{
    [WolverineGet("/account/password")]
    public static IResult Get(HttpContext context) => AccessInformation.Box(new AccessView(true, context.HolderId(), null, false));
}

public static class AccessInformation
{
    public static Task<HolderAccount> LoadAsync(IQuerySession session, HttpContext context) => OwnAccount.LoadAsync(session, context);

    [WolverinePost("/account/password")]
    public static async Task<(IResult, IMartenOp, IMartenOp, IMartenOp, OutgoingMessages)> Post([FromForm] PasswordChangeForm form, [NotBody] HolderAccount holder,
        HttpContext context, IDataProtectionProvider protection, SignInAttempts attempts, IOptions<SessionOptions> options, TimeProvider clock)
    {
        var password = form.New ?? "";
        var now = clock.GetUtcNow();
        var problem = await attempts.CurrentPasswordProblemAsync(holder, form.Current ?? "", now, options.Value, context.RequestAborted)
            ?? AccountRules.NewPasswordProblem(password, form.Confirm ?? "", holder.Id);
        if (problem is not null)
            return (Box(new AccessView(true, holder.Id, problem, false), StatusCodes.Status422UnprocessableEntity), MartenOps.Nothing(), MartenOps.Nothing(), MartenOps.Nothing(), []);
        var current = context.User.FindFirst(Holder.SessionIdClaim)?.Value;
        var notMe = AccountLinks.NewNotMe(protection, holder.Id, now);
        return (Box(new AccessView(false, holder.Id, null, true)),
            new PatchAccount(holder.Id, p => p.Set(h => h.PasswordHash, Passwords.Hash(password))),
            // The other sessions end; this one stays signed in.
            MartenOps.DeleteWhere<PortalSession>(s => s.PrincipalId == holder.Id && s.Id != current),
            MartenOps.StoreObjects(AuditEntry.Of(holder.Id, "password.changed", now), notMe),
            // Client software signed in with the old password loses its tokens too.
            [new HolderCredentialsChanged(holder.Id, now), new PasswordChangedMail(holder.Id, Strings.Language, notMe.Id)]);
    }

    public static HtmlView Box(AccessView view, int status = StatusCodes.Status200OK) =>
        new(typeof(AccessInformation).Assembly, "Account/Access", view, "account.title") { StatusCode = status };
}
