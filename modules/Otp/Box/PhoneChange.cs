using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using MySign.Otp.Challenges;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Sms;
using MySign.Kernel.Validation;
using Wolverine;
using Wolverine.Http;

namespace MySign.Otp.Box;

/// <summary>A phone change in progress: the current channel confirms first, then the new number. Id is in the form.</summary>
public sealed class PhoneChangeRequest : MySign.Kernel.Documents.IHolderOwned
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string NewPhone { get; set; } = "";
    public Guid CurrentChallengeId { get; set; }
    public Guid? NewChallengeId { get; set; }
    public bool CurrentConfirmed { get; set; }
    public bool Done { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed record PhoneChangeView(string Step, Guid? ChangeId, string Phone, string? ErrorKey, string? Destination, int? RetryAfter = null, string? Passkey = null,
    string? Factor = null);

/// <summary>Change the OTP phone: an OTP on the current channel (the old phone must still work), then one to the new number.</summary>
public static class PhoneChangeEndpoints
{
    public const string Purpose = "otp.phone";
    public const string NewPurpose = "otp.phone.new";

    /// <summary>With the certificate revoked or expired there is nothing to confirm: the factor stays as it is (KnownCertificate).</summary>
    public static Task<IResult> Before(HttpContext context, IDocumentSession session, TimeProvider clock) =>
        KnownCertificate.RefuseWithoutCertificateAsync(context, session, clock);

    [WolverineGet("/otp/phone")]
    public static IResult Start() => View(new PhoneChangeView("number", null, "", null, null));

    [WolverinePost("/otp/phone")]
    public static async Task<IResult> Submit([FromForm(Name = "phone")] string? typedPhone, HttpContext context, IDocumentSession session, OtpChallenges challenges, TimeProvider clock)
    {
        var typed = typedPhone ?? "";
        var holder = context.HolderId();
        var phone = MobileNumbers.Normalise(typed);
        if (phone is null)
            return View(new PhoneChangeView("number", null, typed, "otp.phone.error.invalid", null), StatusCodes.Status422UnprocessableEntity);
        var settings = await session.LoadAsync<OtpSettings>(holder, context.RequestAborted);
        if (settings?.PhoneNumber == phone)
            return View(new PhoneChangeView("number", null, typed, "otp.phone.error.same", null), StatusCodes.Status422UnprocessableEntity);

        var id = Guid.CreateVersion7(clock.GetUtcNow());
        var issued = await challenges.IssueAsync(new IssueOtp(holder, Purpose, id.ToString()), context.RequestAborted);
        if (issued.Throttled) return Throttled(context, new PhoneChangeView("number", null, typed, "otp.error.throttled", null, issued.RetryAfterSeconds));
        session.Store(new PhoneChangeRequest { Id = id, HolderId = holder, NewPhone = phone, CurrentChallengeId = issued.ChallengeId, CreatedAt = clock.GetUtcNow() });
        return View(new PhoneChangeView("current", id, phone, null, issued.MaskedDestination, Passkey: issued.Passkey, Factor: issued.Factor));
    }

    [WolverinePost("/otp/phone/{id}/current")]
    public static async Task<IResult> ConfirmCurrent(Guid id, [FromForm(Name = "code")] string? typedCode, HttpContext context, IDocumentSession session, OtpChallenges challenges)
    {
        var change = await Own(session, id, context);
        if (change is null || change.Done) return Results.NotFound();
        var code = typedCode ?? "";
        var verified = await challenges.VerifyAsync(new VerifyOtp(change.CurrentChallengeId, change.HolderId, Purpose, id.ToString(), code), context.RequestAborted);
        if (!verified.IsValid)
        {
            var settings = await session.LoadAsync<OtpSettings>(change.HolderId, context.RequestAborted);
            var again = OtpChallenges.Answer(change.CurrentChallengeId, settings?.Mode ?? ReceptionMode.Sms, settings?.PhoneNumber, default);
            return View(new PhoneChangeView("current", id, change.NewPhone, verified.ErrorKey, again.MaskedDestination, Passkey: again.Passkey, Factor: again.Factor),
                StatusCodes.Status422UnprocessableEntity);
        }

        var issued = await challenges.IssueAsync(new IssueOtp(change.HolderId, NewPurpose, id.ToString(), change.NewPhone), context.RequestAborted);
        change.CurrentConfirmed = true;
        change.NewChallengeId = issued.Throttled ? null : issued.ChallengeId;
        session.Store(change);
        return View(new PhoneChangeView("new", id, change.NewPhone, issued.Throttled ? "otp.error.throttled" : null, issued.Destination, issued.Throttled ? issued.RetryAfterSeconds : null,
            Factor: issued.Factor));
    }

    [WolverinePost("/otp/phone/{id}/new")]
    public static async Task<IResult> ConfirmNew(Guid id, [FromForm(Name = "code")] string? typedCode, HttpContext context, IDocumentSession session, IMessageBus bus, OtpChallenges challenges, TimeProvider clock)
    {
        var change = await Own(session, id, context);
        if (change is null || change.Done || !change.CurrentConfirmed || change.NewChallengeId is not { } challenge) return Results.NotFound();
        var code = typedCode ?? "";
        var verified = await challenges.VerifyAsync(new VerifyOtp(challenge, change.HolderId, NewPurpose, id.ToString(), code), context.RequestAborted);
        if (!verified.IsValid)
            return View(new PhoneChangeView("new", id, change.NewPhone, verified.ErrorKey, OtpSettings.Mask(change.NewPhone), Factor: "sms"), StatusCodes.Status422UnprocessableEntity);

        var settings = (await session.LoadAsync<OtpSettings>(change.HolderId, context.RequestAborted))!;
        var old = settings.PhoneNumber;
        settings.PhoneNumber = change.NewPhone;
        change.Done = true;
        session.Store(settings);
        session.Store(change);
        await bus.PublishAsync(new OtpFactorChanged(change.HolderId, "phone", clock.GetUtcNow(), Strings.Language));
        // The old phone is told, through the outbox: only a change that committed is told.
        if (old.Length > 0) await bus.PublishAsync(new TextPhone(old, Strings.Format("otp.sms.phone_changed", settings.MaskedPhone)));
        return Flow.Done(context, "/");
    }

    [WolverinePost("/otp/phone/{id}/resend")]
    public static async Task<IResult> Resend(Guid id, HttpContext context, IDocumentSession session, OtpChallenges challenges)
    {
        var change = await Own(session, id, context);
        if (change is null || change.Done) return Results.NotFound();
        var toNew = change.CurrentConfirmed;
        var issued = await challenges.IssueAsync(toNew
            ? new IssueOtp(change.HolderId, NewPurpose, id.ToString(), change.NewPhone)
            : new IssueOtp(change.HolderId, Purpose, id.ToString()), context.RequestAborted);
        var step = toNew ? "new" : "current";
        if (issued.Throttled)
            return Throttled(context, new PhoneChangeView(step, id, change.NewPhone, "otp.error.throttled", issued.MaskedDestination, issued.RetryAfterSeconds, Factor: issued.Factor));
        if (toNew) change.NewChallengeId = issued.ChallengeId; else change.CurrentChallengeId = issued.ChallengeId;
        session.Store(change);
        return View(new PhoneChangeView(step, id, change.NewPhone, null, toNew ? issued.Destination : issued.MaskedDestination, Passkey: toNew ? null : issued.Passkey,
            Factor: issued.Factor));
    }

    /// <summary>The request only if it belongs to the signed-in holder: someone else's id is simply not found.</summary>
    private static Task<PhoneChangeRequest?> Own(IDocumentSession session, Guid id, HttpContext context) =>
        MySign.Kernel.Documents.HolderOwned.LoadOwnAsync<PhoneChangeRequest>(session, id, context);

    private static IResult Throttled(HttpContext context, PhoneChangeView view)
    {
        Flow.TooManyRequests(context, view.RetryAfter ?? 30);
        return View(view, StatusCodes.Status429TooManyRequests);
    }

    private static HtmlView View(PhoneChangeView view, int status = StatusCodes.Status200OK) =>
        new(typeof(PhoneChangeEndpoints).Assembly, "Box/PhoneChange", view, "otp.phone.title") { StatusCode = status };
}
