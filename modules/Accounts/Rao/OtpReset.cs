using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using MySign.Accounts.Domain;
using MySign.Accounts.Mail;
using MySign.Kernel.Localization;
using MySign.Kernel.Validation;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace MySign.Accounts.Rao;

public sealed record OtpResetView(string Step, string Token, string Mobile, string? ErrorKey, string? Destination);

/// <summary>The link of a lost-phone reset as the holder followed it: its live token document (none when used, expired or unknown) and the token typed back.</summary>
public sealed record OtpResetLink(AccountToken? Found, string Token)
{
    public static async Task<OtpResetLink> FindAsync(IQuerySession session, string? token, TimeProvider clock, CancellationToken cancellation) =>
        new(await AccountLinks.FindLiveAsync(session, token, "otp_reset", clock.GetUtcNow(), cancellation), token ?? "");

    public AccountToken Live => Found!;

    /// <summary>Validate's answer: a dead link is "gone", whatever is asked of it.</summary>
    public IResult Verdict() => Found is null ? OtpReset.Invalid : WolverineContinue.Result();
}

/// <summary>
/// The holder's half of a lost-phone reset, from the link in the recovery e-mail: the new mobile, an SMS code to it, and
/// from then on OTPs go there. The link works for 24 hours and once.
/// </summary>
public static class OtpReset
{
    public const string Purpose = "otp.reset";

    public static Task<OtpResetLink> LoadAsync(string? token, HttpContext context, IQuerySession session, TimeProvider clock) =>
        OtpResetLink.FindAsync(session, token, clock, context.RequestAborted);

    public static IResult Validate([NotBody] OtpResetLink link) => link.Verdict();

    [WolverineGet("/otp-reset"), AllowAnonymous]
    public static IResult Get([NotBody] OtpResetLink link) => View(new OtpResetView("phone", link.Token, "", null, null));

    internal static IResult Invalid => View(new OtpResetView("invalid", "", "", null, null), StatusCodes.Status410Gone);

    internal static IResult View(OtpResetView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(OtpReset).Assembly, "Rao/OtpReset", view, "otpreset.title") { StatusCode = status, Partial = false };
}

/// <summary>The new mobile: a code is sent to it, bound to this link.</summary>
public static class OtpResetPhone
{
    public static Task<OtpResetLink> LoadAsync([FromForm] string? token, HttpContext context, IQuerySession session, TimeProvider clock) =>
        OtpResetLink.FindAsync(session, token, clock, context.RequestAborted);

    public static IResult Validate([NotBody] OtpResetLink link) => link.Verdict();

    [WolverinePost("/otp-reset"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<(IResult, IMartenOp)> Post([FromForm] string? mobile, [NotBody] OtpResetLink link, HttpContext context, IMessageBus bus)
    {
        var (found, typed) = (link.Live, (mobile ?? "").Trim());
        if (MobileNumbers.Normalise(typed) is not { } phone)
            return (OtpReset.View(new OtpResetView("phone", link.Token, typed, "registration.error.mobile", null), StatusCodes.Status422UnprocessableEntity), MartenOps.Nothing());
        var issued = await bus.SendOtpAsync(found.HolderId, OtpReset.Purpose, found.Id, context.RequestAborted, phone);
        if (issued.Throttled)
            return (OtpReset.View(new OtpResetView("phone", link.Token, typed, issued.Wait, null), StatusCodes.Status429TooManyRequests), MartenOps.Nothing());
        found.ChallengeId = issued.ChallengeId;
        found.NewMobile = phone;
        found.OtpDestination = issued.Destination;
        return (OtpReset.View(new OtpResetView("code", link.Token, typed, null, issued.Destination)), AccountLinks.PendingStep(found));
    }
}

/// <summary>The code sent to the new mobile: right, the new phone is the holder's factor, the link is spent and the holder is told by e-mail.</summary>
public static class OtpResetConfirm
{
    public static Task<OtpResetLink> LoadAsync([FromForm] string? token, HttpContext context, IQuerySession session, TimeProvider clock) =>
        OtpResetLink.FindAsync(session, token, clock, context.RequestAborted);

    public static IResult Validate([NotBody] OtpResetLink link) =>
        link.Found is null ? OtpReset.Invalid
        : link.Found.ChallengeId is null || link.Found.NewMobile is null ? OtpReset.View(new OtpResetView("phone", link.Token, "", null, null), StatusCodes.Status409Conflict)
        : WolverineContinue.Result();

    [WolverinePost("/otp-reset/confirm"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> Post([FromForm] string? code, [NotBody] OtpResetLink link, HttpContext context, IMessageBus bus,
        IDataProtectionProvider protection, TimeProvider clock)
    {
        var (found, phone) = (link.Live, link.Live.NewMobile!);
        var verified = await bus.CheckOtpAsync(found.ChallengeId!.Value, found.HolderId, OtpReset.Purpose, found.Id, code, context.RequestAborted);
        if (!verified.IsValid)
            return (OtpReset.View(new OtpResetView("code", link.Token, "", verified.Refusal, found.OtpDestination), StatusCodes.Status422UnprocessableEntity), MartenOps.Nothing(), []);
        var now = clock.GetUtcNow();
        // The new phone is the factor before this page says so: the next OTP goes there (Otp's own commit).
        await bus.RegisterOtpPhoneAsync(found.HolderId, phone, context.RequestAborted);
        found.Used = true;
        var notMe = AccountLinks.NewNotMe(protection, found.HolderId, now);
        return (OtpReset.View(new OtpResetView("done", "", "", null, MobileNumbers.Mask(phone))),
            MartenOps.StoreObjects(found, AuditEntry.Of(found.HolderId, "otp.reset_completed", now), notMe),
            [new OtpResetDoneMail(found.HolderId, Strings.Language, MobileNumbers.Mask(phone), notMe.Id)]);
    }
}
