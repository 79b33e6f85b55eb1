using System.Text.RegularExpressions;
using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Accounts.Login;
using MySign.Accounts.Sessions;
using Wolverine;
using MySign.Accounts.Mail;
using Microsoft.AspNetCore.DataProtection;
using MySign.Kernel.Localization;
using MySign.Kernel.Validation;
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
public sealed record RawHtmlBoxes(MySign.Kernel.Rendering.RawHtml Personal, MySign.Kernel.Rendering.RawHtml Access, MySign.Kernel.Rendering.RawHtml Recovery);

/// <summary>"Manage your account": personal, access and recovery information, and recent activity from the audit trail.</summary>
/// <summary>The "Access information" form (current password, new one twice), bound by Wolverine.</summary>
public sealed class PasswordChangeForm
{
    public string? Current { get; set; }
    [FromForm(Name = "new")] public string? New { get; set; }
    public string? Confirm { get; set; }
}

public static partial class AccountPageEndpoints
{
    [WolverineGet("/account")]
    public static async Task<IResult> Page(HttpContext context, IQuerySession session, IMessageBus bus, string? saved)
    {
        var holder = await Load(session, context);
        return await PageFor(holder, context, session, bus, saved, new SignInView(holder.FactorAtSignIn, holder.PasskeySignIn, saved == "signin", null));
    }

    private static async Task<IResult> PageFor(HolderAccount holder, HttpContext context, IQuerySession session, IMessageBus bus, string? saved, SignInView signIn,
        int status = StatusCodes.Status200OK)
    {
        signIn = signIn with { Passkeys = (await bus.OtpFactorAsync(holder.Id, context.RequestAborted)).Passkeys };
        var activity = await session.Query<AuditEntry>().Where(a => a.HolderId == holder.Id).OrderByDescending(a => a.At).Take(10).ToListAsync(context.RequestAborted);
        var current = context.User.FindFirst(Holder.SessionIdClaim)?.Value;
        var devices = (await session.Query<PortalSession>().Where(s => s.PrincipalId == holder.Id).ToListAsync(context.RequestAborted))
            .OrderByDescending(s => s.Id == current).ThenByDescending(s => s.LastSeenAt)
            .Select(s => new DeviceRow(s.Id, s.Device.Length > 0 ? s.Device : "?", s.Address, s.LastSeenAt, s.Id == current)).ToList();
        var boxes = new RawHtmlBoxes(
            PersonalBox(holder, false, new Dictionary<string, string>(), false).RenderFragment(context),
            AccessBox(new AccessView(false, holder.Id, null, false)).RenderFragment(context),
            RecoveryEndpoints.Box(RecoveryEndpoints.ViewOf(holder)).RenderFragment(context));
        return new HtmlView(typeof(AccountPageEndpoints).Assembly, "Account/Page",
            new AccountPageView(boxes, activity.Select(a => new ActivityRow(a.At, "audit." + a.What)).ToList(), !holder.RemindersOff, saved == "reminders", devices, signIn),
            "account.title") { Partial = false, StatusCode = status };
    }

    /// <summary>
    /// Sign-in settings: a second factor after the password, and sign-in with a passkey alone. Confirmed with the current
    /// password (counted toward the lockout like every password prompt) and told by e-mail with "this wasn't me".
    /// </summary>
    [WolverinePost("/account/sign-in"), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> SignInSettings([FromForm] string? factor, [FromForm] string? passkey, [FromForm] string? password, HttpContext context,
        IDocumentSession session, SignInAttempts attempts, IOptions<SessionOptions> options, IDataProtectionProvider protection, IMessageBus bus, TimeProvider clock)
    {
        var holder = await Load(session, context);
        var now = clock.GetUtcNow();
        var wanted = new SignInView(factor == "on", passkey == "on", false, null);
        if (await attempts.CurrentPasswordProblemAsync(holder, password ?? "", now, options.Value, context.RequestAborted) is { } problem)
            return await PageFor(holder, context, session, bus, null, wanted with { ErrorKey = problem }, StatusCodes.Status422UnprocessableEntity);
        // A passkey alone signs in only a holder who has one: without, the setting would lock nothing and open nothing.
        if (wanted.Passkey && !holder.PasskeySignIn && (await bus.OtpFactorAsync(holder.Id, context.RequestAborted)).Passkeys == 0)
            return await PageFor(holder, context, session, bus, null, wanted with { ErrorKey = "account.signin.error.no_passkey" }, StatusCodes.Status422UnprocessableEntity);
        if (wanted.Factor == holder.FactorAtSignIn && wanted.Passkey == holder.PasskeySignIn) return Results.Redirect("/account?saved=signin#signin-title");
        holder.FactorAtSignIn = wanted.Factor;
        holder.PasskeySignIn = wanted.Passkey;
        session.Store(holder);
        session.Insert(AuditEntry.Of(holder.Id, "signin.changed", now));
        await bus.PublishAsync(new SignInChangedMail(holder.Id, Strings.Language, wanted.Factor, wanted.Passkey, AccountLinks.NotMe(session, protection, holder.Id, now)));
        return Results.Redirect("/account?saved=signin#signin-title");
    }

    /// <summary>Signs one of the holder's other sessions out (someone else's session id reads as unknown).</summary>
    [WolverinePost("/account/sessions/{id}/end")]
    public static async Task<IResult> EndSession(string id, HttpContext context, IDocumentSession session)
    {
        var found = id.Length <= 100 ? await session.LoadAsync<PortalSession>(id, context.RequestAborted) : null;
        if (found is null || found.PrincipalId != context.HolderId()) return Results.NotFound();
        session.Delete(found);
        session.Insert(AuditEntry.Of(found.PrincipalId, "session.ended", DateTimeOffset.UtcNow));
        return Results.Redirect("/account#devices-title");
    }

    /// <summary>Expiry and payment reminders on or off (the checkbox is absent from the form when unticked).</summary>
    [WolverinePost("/account/reminders")]
    public static IResult Reminders([FromForm] string? reminders, HttpContext context, IDocumentSession session)
    {
        session.Patch<HolderAccount>(context.HolderId()).Set(a => a.RemindersOff, reminders != "on");
        return Results.Redirect("/account?saved=reminders#reminders-title");
    }

    [WolverineGet("/account/personal")]
    public static async Task<IResult> Personal(HttpContext context, IQuerySession session, string? edit) =>
        PersonalBox(await Load(session, context), edit == "1", new Dictionary<string, string>(), false);

    [WolverinePost("/account/personal")]
    public static async Task<IResult> UpdatePersonal(HttpContext context, IDocumentSession session, TimeProvider clock)
    {
        var holder = await Load(session, context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string Field(string name) => form[name].ToString().Trim();
        var typed = new HolderAccount
        {
            Id = holder.Id, FirstName = holder.FirstName, LastName = holder.LastName, FiscalCode = holder.FiscalCode,
            Address = Field("address"), PostCode = Field("post_code"), City = Field("city"),
            Province = Field("province").ToUpperInvariant(), Country = Field("country").ToUpperInvariant(),
        };
        var errors = Validate(typed);
        if (errors.Count > 0) return PersonalBox(typed, true, errors, false, StatusCodes.Status422UnprocessableEntity);
        // Only these fields can change here; anything else posted (holder id, e-mail, status) is ignored.
        session.Patch<HolderAccount>(holder.Id).Set(h => h.Address, typed.Address);
        session.Patch<HolderAccount>(holder.Id).Set(h => h.PostCode, typed.PostCode);
        session.Patch<HolderAccount>(holder.Id).Set(h => h.City, typed.City);
        session.Patch<HolderAccount>(holder.Id).Set(h => h.Province, typed.Province);
        session.Patch<HolderAccount>(holder.Id).Set(h => h.Country, typed.Country);
        session.Insert(AuditEntry.Of(holder.Id, "personal.updated", clock.GetUtcNow()));
        return PersonalBox(typed, false, errors, true);
    }

    [GeneratedRegex(@"^\d{5}$")] private static partial Regex ItalianPostCode();
    [GeneratedRegex(@"^[A-Za-z0-9 -]{3,10}$")] private static partial Regex PostCode();
    [GeneratedRegex(@"^[\p{L} '.-]{2,60}$")] private static partial Regex Place();
    [GeneratedRegex(@"^[A-Z]{2}$")] private static partial Regex TwoLetters();

    public static Dictionary<string, string> Validate(HolderAccount typed)
    {
        var errors = new Dictionary<string, string>();
        if (typed.Address.Length is < 3 or > 120) errors["address"] = "personal.error.address";
        if (!TwoLetters().IsMatch(typed.Country)) errors["country"] = "personal.error.country";
        var italy = typed.Country == "IT";
        if (italy ? !ItalianPostCode().IsMatch(typed.PostCode) : !PostCode().IsMatch(typed.PostCode)) errors["post_code"] = "personal.error.post_code";
        if (!Place().IsMatch(typed.City)) errors["city"] = "personal.error.city";
        if (italy ? !TwoLetters().IsMatch(typed.Province) : typed.Province.Length > 20) errors["province"] = "personal.error.province";
        TypedText.Check(errors, [("address", typed.Address), ("post_code", typed.PostCode), ("city", typed.City), ("province", typed.Province)]);
        return errors;
    }

    [WolverineGet("/account/password")]
    public static IResult PasswordForm(HttpContext context) => AccessBox(new AccessView(true, context.HolderId(), null, false));

    [WolverinePost("/account/password")]
    public static async Task<IResult> ChangePassword([FromForm] PasswordChangeForm form, HttpContext context, IDocumentSession session, IDataProtectionProvider protection,
        SignInAttempts attempts, IOptions<SessionOptions> options, IMessageBus bus, TimeProvider clock)
    {
        var holder = await Load(session, context);
        var password = form.New ?? "";
        var now = clock.GetUtcNow();
        var problem = await attempts.CurrentPasswordProblemAsync(holder, (form.Current ?? ""), now, options.Value, context.RequestAborted)
            ?? PasswordPolicy.Problem(password, holder.Id) ?? (password != (form.Confirm ?? "") ? "password.error.confirm" : null);
        if (problem is not null) return AccessBox(new AccessView(true, holder.Id, problem, false), StatusCodes.Status422UnprocessableEntity);

        var current = context.User.FindFirst(Holder.SessionIdClaim)?.Value;
        session.Patch<HolderAccount>(holder.Id).Set(h => h.PasswordHash, Passwords.Hash(password));
        // The other sessions end; this one stays signed in.
        session.DeleteWhere<PortalSession>(s => s.PrincipalId == holder.Id && s.Id != current);
        session.Insert(AuditEntry.Of(holder.Id, "password.changed", now));
        // Client software signed in with the old password loses its tokens too.
        await bus.PublishAsync(new HolderCredentialsChanged(holder.Id, now));
        await bus.PublishAsync(new PasswordChangedMail(holder.Id, Strings.Language, AccountLinks.NotMe(session, protection, holder.Id, now)));
        return AccessBox(new AccessView(false, holder.Id, null, true));
    }

    public static async Task<HolderAccount> Load(IQuerySession session, HttpContext context) =>
        await session.LoadAsync<HolderAccount>(context.HolderId(), context.RequestAborted)
        ?? throw new InvalidOperationException("The signed-in holder has no account.");

    private static HtmlView PersonalBox(HolderAccount h, bool editing, IReadOnlyDictionary<string, string> errors, bool updated, int status = StatusCodes.Status200OK) =>
        new(typeof(AccountPageEndpoints).Assembly, "Account/Personal",
            new PersonalView(editing, h.Id, h.FirstName, h.LastName, h.FiscalCode, h.Address, h.PostCode, h.City, h.Province, h.Country, errors, updated),
            "account.title") { StatusCode = status };

    private static HtmlView AccessBox(AccessView view, int status = StatusCodes.Status200OK) =>
        new(typeof(AccountPageEndpoints).Assembly, "Account/Access", view, "account.title") { StatusCode = status };
}
