using System.Text.RegularExpressions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using MySign.Accounts.Domain;
using MySign.Accounts.Mail;
using Microsoft.AspNetCore.DataProtection;
using MySign.Certificates.Contracts;
using MySign.Kernel.Localization;
using MySign.Kernel.Validation;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using MySign.Otp.Contracts;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Rao;

/// <summary>An identity document the RAO operator checked at the desk before helping the holder, and why. Kept as evidence.</summary>
public sealed class IdentityCheck
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string Operator { get; set; } = "";
    public string Office { get; set; } = "";
    public string DocumentType { get; set; } = "";
    public string DocumentNumber { get; set; } = "";
    public DateOnly DocumentExpiry { get; set; }
    public string Action { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

public sealed class DeskForm
{
    [FromForm(Name = "doc_type")] public string? DocumentType { get; set; }
    [FromForm(Name = "doc_number")] public string? DocumentNumber { get; set; }
    [FromForm(Name = "doc_expiry")] public string? DocumentExpiry { get; set; }
    public string? Action { get; set; }
}

public sealed record DeskView(IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, string> Values, string? Done);

/// <summary>
/// The RAO desk for a holder in trouble, after an identity document is checked (type, number, expiry recorded with the
/// operator and office): a lost OTP phone (the old factor stops at once; the holder registers a new phone from a link
/// sent to the recovery e-mail) or a blocked PIN the holder still knows (a fresh count of attempts). Every step is in
/// the holder's audit trail with operator and office, and the holder is told by e-mail.
/// </summary>
public static partial class DeskEndpoints
{
    public static readonly string[] Actions = ["reset_otp", "unblock_pin", "forgotten_pin"];
    public static readonly TimeSpan ResetLinkLifetime = TimeSpan.FromHours(24);

    [GeneratedRegex(@"^[A-Za-z0-9]{5,20}$")] private static partial Regex DocumentNumberShape();

    [WolverinePost("/rao/holders/{id}/desk")]
    public static async Task<IResult> Desk(string id, [FromForm] DeskForm form, HttpContext context, IDocumentSession session, IMessageBus bus,
        IDataProtectionProvider protection, TimeProvider clock)
    {
        var holder = await RaoConsoleEndpoints.OfficeHolderAsync(session, context, id);
        if (holder is null) return Results.NotFound();
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var values = new Dictionary<string, string>
        {
            ["doc_type"] = form.DocumentType ?? "", ["doc_number"] = (form.DocumentNumber ?? "").Trim(), ["doc_expiry"] = form.DocumentExpiry ?? "", ["action"] = form.Action ?? "",
        };
        var errors = new Dictionary<string, string>();
        if (!Registration.RegistrationForm.DocumentTypes.Contains(values["doc_type"])) errors["doc_type"] = "registration.error.doc_type";
        if (!DocumentNumberShape().IsMatch(values["doc_number"])) errors["doc_number"] = "registration.error.doc_number";
        var expiry = TypedDate.Parse(values["doc_expiry"], 2000);
        if (expiry is null) errors["doc_expiry"] = "registration.error.date";
        else if (expiry.Value <= today) errors["doc_expiry"] = "registration.error.doc_expired";
        if (!Actions.Contains(values["action"])) errors["action"] = "rao.desk.error.action";
        else if (values["action"] is "reset_otp" or "forgotten_pin" && holder.Email.Length == 0) errors["action"] = "rao.desk.error.no_email";
        if (errors.Count > 0) return await RaoConsoleEndpoints.HolderPageAsync(holder, session, context, new DeskView(errors, values, null), StatusCodes.Status422UnprocessableEntity);

        var operatorId = context.HolderId();
        var office = context.Office();
        session.Insert(new IdentityCheck
        {
            Id = Guid.CreateVersion7(now), HolderId = holder.Id, Operator = operatorId, Office = office, DocumentType = values["doc_type"],
            DocumentNumber = values["doc_number"].ToUpperInvariant(), DocumentExpiry = expiry!.Value, Action = values["action"], At = now,
        });
        session.Insert(AuditEntry.ByRao(holder.Id, "rao.identity_checked", now, operatorId, office, $"{values["doc_type"]} …{values["doc_number"][^3..]}"));
        var language = holder.Language ?? Strings.Language;
        if (values["action"] == "unblock_pin")
        {
            await bus.PublishAsync(new UnblockPin(holder.Id, operatorId, office));
            session.Insert(AuditEntry.ByRao(holder.Id, "rao.pin_unblocked", now, operatorId, office));
            await bus.PublishAsync(new PinUnblockedMail(holder.Id, language, office, AccountLinks.NotMe(session, protection, holder.Id, now)));
        }
        else if (values["action"] == "forgotten_pin")
        {
            var token = AccountLinks.Issue(session, protection, holder.Id, "new_pin", now + ResetLinkLifetime);
            session.Insert(AuditEntry.ByRao(holder.Id, "rao.new_pin_started", now, operatorId, office));
            await bus.PublishAsync(new NewPinLinkMail(token.Id, language, office));
        }
        else
        {
            var token = AccountLinks.Issue(session, protection, holder.Id, "otp_reset", now + ResetLinkLifetime);
            await bus.PublishAsync(new ResetOtpFactor(holder.Id));
            session.Insert(AuditEntry.ByRao(holder.Id, "rao.otp_reset_started", now, operatorId, office));
            await bus.PublishAsync(new OtpResetLinkMail(token.Id, language, office));
        }
        // One commit for the change, its audit and its mail's message, before the page reads the trail back.
        await session.SaveChangesAsync(context.RequestAborted);
        return await RaoConsoleEndpoints.HolderPageAsync(holder, session, context, new DeskView(new Dictionary<string, string>(), new Dictionary<string, string>(), "rao.desk.done." + values["action"]));
    }
}

public sealed record OtpResetView(string Step, string Token, string Mobile, string? ErrorKey, string? Destination);

/// <summary>
/// The holder's half of a lost-phone reset, from the link in the recovery e-mail: the new mobile, an SMS code to it, and
/// from then on OTPs go there. The link works for 24 hours and once.
/// </summary>
public static class OtpResetEndpoints
{
    public const string Purpose = "otp.reset";

    [WolverineGet("/otp-reset"), AllowAnonymous]
    public static async Task<IResult> Get(string? token, HttpContext context, IQuerySession session, TimeProvider clock) =>
        await Find(session, token, clock, context) is null ? View(new OtpResetView("invalid", "", "", null, null), StatusCodes.Status410Gone)
            : View(new OtpResetView("phone", token!, "", null, null));

    [WolverinePost("/otp-reset"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<IResult> Phone([FromForm] string? token, [FromForm] string? mobile, HttpContext context, IDocumentSession session, IMessageBus bus,
        TimeProvider clock)
    {
        var found = await Find(session, token, clock, context);
        if (found is null) return View(new OtpResetView("invalid", "", "", null, null), StatusCodes.Status410Gone);
        var typed = (mobile ?? "").Trim();
        if (MobileNumbers.Normalise(typed) is not { } phone) return View(new OtpResetView("phone", token!, typed, "registration.error.mobile", null), StatusCodes.Status422UnprocessableEntity);
        var issued = await bus.SendOtpAsync(found.HolderId, Purpose, found.Id, context.RequestAborted, phone);
        if (issued.Throttled) return View(new OtpResetView("phone", token!, typed, issued.Wait, null), StatusCodes.Status429TooManyRequests);
        found.ChallengeId = issued.ChallengeId;
        found.NewMobile = phone;
        found.OtpDestination = issued.Destination;
        session.Store(found);
        return View(new OtpResetView("code", token!, typed, null, issued.Destination));
    }

    [WolverinePost("/otp-reset/confirm"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<IResult> Confirm([FromForm] string? token, [FromForm] string? code, HttpContext context, IDocumentSession session, IMessageBus bus,
        IDataProtectionProvider protection, TimeProvider clock)
    {
        var found = await Find(session, token, clock, context);
        if (found is null) return View(new OtpResetView("invalid", "", "", null, null), StatusCodes.Status410Gone);
        if (found.ChallengeId is not { } challenge || found.NewMobile is not { } phone) return View(new OtpResetView("phone", token!, "", null, null), StatusCodes.Status409Conflict);
        var verified = await bus.CheckOtpAsync(challenge, found.HolderId, Purpose, found.Id, code, context.RequestAborted);
        if (!verified.IsValid) return View(new OtpResetView("code", token!, "", verified.Refusal, found.OtpDestination), StatusCodes.Status422UnprocessableEntity);
        var now = clock.GetUtcNow();
        // The new phone is the factor before this page says so: the next OTP goes there.
        await bus.RegisterOtpPhoneAsync(found.HolderId, phone, context.RequestAborted);
        found.Used = true;
        session.Store(found);
        session.Insert(AuditEntry.Of(found.HolderId, "otp.reset_completed", now));
        await bus.PublishAsync(new OtpResetDoneMail(found.HolderId, Strings.Language, MobileNumbers.Mask(phone), AccountLinks.NotMe(session, protection, found.HolderId, now)));
        return View(new OtpResetView("done", "", "", null, MobileNumbers.Mask(phone)));
    }

    private static Task<AccountToken?> Find(IQuerySession session, string? token, TimeProvider clock, HttpContext context) =>
        AccountLinks.FindLiveAsync(session, token, "otp_reset", clock.GetUtcNow(), context.RequestAborted);

    private static IResult View(OtpResetView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(OtpResetEndpoints).Assembly, "Rao/OtpReset", view, "otpreset.title") { StatusCode = status, Partial = false };
}
