using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MySign.Accounts.Contracts;
using MySign.Billing.Contracts;
using MySign.Certificates.Contracts;
using MySign.Kernel.Web;
using MySign.Otp.Contracts;
using MySign.Renewal.Contracts;
using MySign.Renewal.Domain;
using MySign.Renewal.Portal;
using Wolverine;
using Wolverine.Http;

namespace MySign.Renewal.Wizard;

public sealed record StepView(int Number, string Label, string State);
public sealed record WizardView(Guid Id, string Path, string Step, IReadOnlyList<StepView> Steps, string Name, string Iut, DateTimeOffset ExpiresAt,
    IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, string> Values, string? OtpNotice, int OtpDigits, string? NewIut, Guid? OrderId, bool FinishLater);
public sealed record RenewPageView(RenewBoxView Box, Guid? InProgress, bool Cancelled);

/// <summary>
/// "Renew digital signature": the renewal page with its options and the five-step wizard (Consents, Confirm the
/// operation, Insert Coupon / RAO verification, Activate the certificate, Confirm the operation). Each step is
/// accepted only at its turn, for the holder's own renewal; Cancel at any step leaves the certificate untouched.
/// </summary>
public static class RenewalWizardEndpoints
{
    public const string ConfirmPurpose = "renewal.confirm";
    public const string ActivatePurpose = "renewal.activate";
    private const string PinProtection = "MySign.Renewal.NewPin";

    [WolverineGet("/renewal")]
    public static async Task<IResult> Page(HttpContext context, IQuerySession session, TimeProvider clock, string? cancelled)
    {
        var holderId = context.HolderId();
        var certificate = await session.LoadAsync<RenewableCertificate>(holderId, context.RequestAborted);
        var active = await Active(session, holderId, context.RequestAborted);
        return Html("Wizard/Renew", new RenewPageView(RenewBox.View(certificate, clock.GetUtcNow()), active?.Id, cancelled == "1"));
    }

    [WolverinePost("/renewal")]
    public static async Task<IResult> Start(HttpContext context, IDocumentSession session, TimeProvider clock)
    {
        var holderId = context.HolderId();
        var path = (await context.Request.ReadFormAsync(context.RequestAborted))["path"].ToString();
        var now = clock.GetUtcNow();
        var certificate = await session.LoadAsync<RenewableCertificate>(holderId, context.RequestAborted);
        if (certificate is null || RenewalWindow.For(certificate.ExpiresAt, now).State != WindowState.Open || !RenewalPaths.All.Contains(path))
            return Html("Wizard/Renew", new RenewPageView(RenewBox.View(certificate, now), null, false), StatusCodes.Status422UnprocessableEntity);
        // One renewal at a time: an unfinished one is resumed, whatever option was pressed.
        var request = await Active(session, holderId, context.RequestAborted);
        if (request is null)
        {
            request = new RenewalRequest
            {
                Id = Guid.CreateVersion7(now), HolderId = holderId, Path = path, Step = RenewalStep.Consents, CertificateId = certificate.CertificateId,
                UniqueIdentifier = certificate.UniqueIdentifier, ExpiresAt = certificate.ExpiresAt, CreatedAt = now,
            };
            session.Insert(request);
            await session.SaveChangesAsync(context.RequestAborted);
        }
        return Results.Redirect($"/renewal/{request.Id}");
    }

    public sealed record InfoView(string Topic, int Paragraphs, Guid? RenewalId);

    /// <summary>The general conditions the Consents step asks to accept (linked from its checkbox).</summary>
    [WolverineGet("/renewal/conditions")]
    public static IResult Conditions(Guid? renewal) => Html("Wizard/Info", new InfoView("renewal.conditions", 4, renewal), "renewal.conditions.heading");

    /// <summary>What to do when the personal data changed: a new certificate at an RAO office (linked from Consents).</summary>
    [WolverineGet("/renewal/new-certificate")]
    public static IResult NewCertificate(Guid? renewal) => Html("Wizard/Info", new InfoView("renewal.newcert", 3, renewal), "renewal.newcert.heading");

    [WolverineGet("/renewal/{id}")]
    public static async Task<IResult> Show(Guid id, HttpContext context, IQuerySession session)
    {
        var request = await Own(session, context, id);
        return request is null ? Results.NotFound() : Wizard(context, request);
    }

    [WolverinePost("/renewal/{id}/consents")]
    public static async Task<IResult> Consents(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Consents, clock);
        if (request is null) return refusal!;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var errors = new Dictionary<string, string>();
        if (form["conditions"] != "on") errors["conditions"] = "renewal.error.conditions";
        if (form["data_valid"] != "on") errors["data_valid"] = "renewal.error.data_valid";
        var pin = form["pin"].ToString();
        if (pin.Length == 0) errors["pin"] = "renewal.error.pin_required";
        if (errors.Count > 0) return Wizard(context, request, errors, status: StatusCodes.Status422UnprocessableEntity);
        var check = await bus.InvokeAsync<SignaturePinChecked>(new CheckSignaturePin(request.HolderId, pin), context.RequestAborted);
        if (!check.Ok) return Wizard(context, request, Error("pin", check.ErrorKey!), status: StatusCodes.Status422UnprocessableEntity);
        return await SendOtp(context, session, bus, request, ConfirmPurpose, RenewalStep.ConfirmOperation);
    }

    [WolverinePost("/renewal/{id}/confirm")]
    public static async Task<IResult> Confirm(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.ConfirmOperation, clock);
        if (request is null) return refusal!;
        if (await CheckOtp(context, bus, request, ConfirmPurpose) is { } wrong) return wrong;
        request.Step = RenewalStep.Payment;
        request.ChallengeId = null;
        return await Save(context, session, request);
    }

    [WolverinePost("/renewal/{id}/coupon")]
    public static async Task<IResult> Coupon(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Payment, clock, RenewalPaths.Coupon);
        if (request is null) return refusal!;
        var code = (await context.Request.ReadFormAsync(context.RequestAborted))["coupon"].ToString().Trim();
        var typed = new Dictionary<string, string> { ["coupon"] = code.Length > 40 ? code[..40] : code };
        if (code.Length == 0) return Wizard(context, request, Error("coupon", "coupon.error.required"), typed, status: StatusCodes.Status422UnprocessableEntity);
        var redemption = await bus.InvokeAsync<CouponRedemption>(new RedeemCoupon(code, request.HolderId, request.Id), context.RequestAborted);
        if (!redemption.Redeemed) return Wizard(context, request, Error("coupon", redemption.ErrorKey!), typed, status: StatusCodes.Status422UnprocessableEntity);
        request.CouponCode = code;
        request.Step = RenewalStep.Activate;
        return await Save(context, session, request);
    }

    /// <summary>"Proceed to payment": the store order for this renewal (one per renewal), then the store's pages.</summary>
    [WolverinePost("/renewal/{id}/store")]
    public static async Task<IResult> Store(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Payment, clock, RenewalPaths.Store);
        if (request is null) return refusal!;
        var opened = await bus.InvokeAsync<RenewalOrderOpened>(new OpenRenewalOrder(request.Id, request.HolderId), context.RequestAborted);
        if (request.OrderId != opened.OrderId)
        {
            request.OrderId = opened.OrderId;
            session.Store(request);
            await session.SaveChangesAsync(context.RequestAborted);
        }
        return Results.Redirect($"/store/orders/{opened.OrderId}");
    }

    [WolverinePost("/renewal/{id}/rao"), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Rao(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Payment, clock, RenewalPaths.Rao);
        if (request is null) return refusal!;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var username = form["rao_username"].ToString().Trim();
        var typed = new Dictionary<string, string> { ["rao_username"] = username.Length > 64 ? username[..64] : username };
        var verdict = await bus.InvokeAsync<RaoCredentialsVerified>(new VerifyRaoCredentials(username, form["rao_password"].ToString(), request.HolderId), context.RequestAborted);
        if (!verdict.Authorised) return Wizard(context, request, Error("rao", verdict.ErrorKey!), typed, status: StatusCodes.Status422UnprocessableEntity);
        request.AuthorisedBy = verdict.OperatorId;
        request.Step = RenewalStep.Activate;
        return await Save(context, session, request);
    }

    [WolverinePost("/renewal/{id}/pin")]
    public static async Task<IResult> NewPin(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, IDataProtectionProvider protection, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Activate, clock);
        if (request is null) return refusal!;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var pin = form["new_pin"].ToString();
        if ((await bus.InvokeAsync<PinRulesChecked>(new CheckPinRules(pin), context.RequestAborted)).ErrorKey is { } problem)
            return Wizard(context, request, Error("new_pin", problem), status: StatusCodes.Status422UnprocessableEntity);
        if (pin != form["confirm_pin"].ToString())
            return Wizard(context, request, Error("confirm_pin", "pin.error.confirm"), status: StatusCodes.Status422UnprocessableEntity);
        request.ProtectedPin = protection.CreateProtector(PinProtection).Protect(pin);
        return await SendOtp(context, session, bus, request, ActivatePurpose, RenewalStep.ConfirmActivation);
    }

    [WolverinePost("/renewal/{id}/activate")]
    public static async Task<IResult> Activate(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, IDataProtectionProvider protection,
        TimeProvider clock, ILogger<RenewalRequest> logger)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.ConfirmActivation, clock);
        if (request is null) return refusal!;
        if (await CheckOtp(context, bus, request, ActivatePurpose) is { } wrong) return wrong;
        // The OTP is single use, so of two parallel submissions only one reaches this point.
        var pin = protection.CreateProtector(PinProtection).Unprotect(request.ProtectedPin!);
        CertificateIssued issued;
        try
        {
            issued = await bus.InvokeAsync<CertificateIssued>(new RenewCertificate(request.HolderId, pin), context.RequestAborted);
        }
        catch (InvalidOperationException)
        {
            // Suspended or revoked since the renewal began: nothing is issued, the renewal stays where it was.
            return Wizard(context, request, Error("form", "renewal.error.not_active"), status: StatusCodes.Status422UnprocessableEntity);
        }
        var now = clock.GetUtcNow();
        request.Step = RenewalStep.Done;
        request.ProtectedPin = null;
        request.ChallengeId = null;
        request.EndedAt = now;
        request.NewUniqueIdentifier = issued.UniqueIdentifier;
        // The home page must show the new expiry at once, not when the CertificateIssued event arrives.
        session.Store(new RenewableCertificate
        {
            Id = issued.HolderId, CertificateId = issued.CertificateId, UniqueIdentifier = issued.UniqueIdentifier, ExpiresAt = issued.NotAfter,
        });
        await bus.PublishAsync(new RenewalCompleted(request.HolderId, request.Id, now));
        if (request.FinishLater) await bus.PublishAsync(new LandOnNextSignIn(request.HolderId, null));
        MySign.Kernel.Operations.Telemetry.RenewalsCompleted.Add(1, new KeyValuePair<string, object?>("path", request.Path));
        logger.LogInformation("Holder {HolderId} renewed the certificate ({Path})", request.HolderId, request.Path);
        return await Save(context, session, request);
    }

    /// <summary>
    /// After the RAO verification the holder may stop and finish at home: nothing changes but where the next sign-in
    /// lands (this renewal, asked of Accounts); the page then offers to sign out.
    /// </summary>
    [WolverinePost("/renewal/{id}/later")]
    public static async Task<IResult> Later(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Activate, clock, RenewalPaths.Rao);
        if (request is null) return refusal!;
        request.FinishLater = true;
        await bus.PublishAsync(new LandOnNextSignIn(request.HolderId, $"/renewal/{request.Id}"));
        return await Save(context, session, request);
    }

    [WolverinePost("/renewal/{id}/resend")]
    public static async Task<IResult> Resend(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus)
    {
        var request = await Own(session, context, id);
        if (request is null) return Results.NotFound();
        return request.Step switch
        {
            RenewalStep.ConfirmOperation => await SendOtp(context, session, bus, request, ConfirmPurpose, RenewalStep.ConfirmOperation),
            RenewalStep.ConfirmActivation => await SendOtp(context, session, bus, request, ActivatePurpose, RenewalStep.ConfirmActivation),
            _ => Wizard(context, request, Error("form", "renewal.error.step"), status: StatusCodes.Status409Conflict),
        };
    }

    [WolverinePost("/renewal/{id}/cancel")]
    public static async Task<IResult> Cancel(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var request = await Own(session, context, id);
        if (request is null) return Results.NotFound();
        if (!request.InProgress) return Wizard(context, request, Error("form", "renewal.error.step"), status: StatusCodes.Status409Conflict);
        // Paid in the store: cancelling now would throw the money away; the renewal is one activation from done.
        if (request.Path == RenewalPaths.Store && request.Step is RenewalStep.Activate or RenewalStep.ConfirmActivation)
            return Wizard(context, request, Error("form", "renewal.error.paid_no_cancel"), status: StatusCodes.Status409Conflict);
        if (request.CouponCode is not null) await bus.PublishAsync(new ReleaseCoupon(request.CouponCode, request.Id));
        // An order waiting for a transfer or a card is cancelled with it (a credit that still arrives is refunded).
        if (request.Path == RenewalPaths.Store) await bus.PublishAsync(new CancelRenewalOrder(request.Id));
        if (request.FinishLater) await bus.PublishAsync(new LandOnNextSignIn(request.HolderId, null));
        request.Step = RenewalStep.Cancelled;
        request.ProtectedPin = null;
        request.EndedAt = clock.GetUtcNow();
        var saved = await Save(context, session, request);
        return saved is HtmlView { StatusCode: StatusCodes.Status409Conflict } ? saved : Results.Redirect("/renewal?cancelled=1");
    }

    private static async Task<IResult> SendOtp(HttpContext context, IDocumentSession session, IMessageBus bus, RenewalRequest request, string purpose, RenewalStep next)
    {
        var issued = await bus.InvokeAsync<OtpIssued>(new IssueOtp(request.HolderId, purpose, request.Id.ToString()), context.RequestAborted);
        if (issued.Throttled) return Wizard(context, request, Error("form", issued.Wait!), status: StatusCodes.Status429TooManyRequests);
        request.ChallengeId = issued.ChallengeId;
        request.OtpChannel = issued.Channel;
        request.OtpDestination = issued.MaskedDestination;
        request.Step = next;
        return await Save(context, session, request);
    }

    private static async Task<IResult?> CheckOtp(HttpContext context, IMessageBus bus, RenewalRequest request, string purpose)
    {
        var code = (await context.Request.ReadFormAsync(context.RequestAborted))["code"].ToString();
        if (request.ChallengeId is not { } challenge) return Wizard(context, request, Error("code", "otp.error.unknown"), status: StatusCodes.Status422UnprocessableEntity);
        var verified = await bus.InvokeAsync<OtpVerified>(new VerifyOtp(challenge, request.HolderId, purpose, request.Id.ToString(), code), context.RequestAborted);
        return verified.IsValid ? null : Wizard(context, request, Error("code", verified.ErrorKey), status: StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>Saves the step; a parallel submission of the same step loses the version check and is told so.</summary>
    private static async Task<IResult> Save(HttpContext context, IDocumentSession session, RenewalRequest request)
    {
        session.Store(request);
        try
        {
            await session.SaveChangesAsync(context.RequestAborted);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return new HtmlView(typeof(RenewalWizardEndpoints).Assembly, "Wizard/Conflict", request.Id, "renewal.title") { StatusCode = StatusCodes.Status409Conflict };
        }
        return Wizard(context, request);
    }

    /// <summary>The holder's renewal if it is at <paramref name="step"/> (and on <paramref name="path"/>), in the window; else the refusal to show.</summary>
    private static async Task<(RenewalRequest?, IResult?)> At(IDocumentSession session, HttpContext context, Guid id, RenewalStep step, TimeProvider clock, string? path = null)
    {
        var request = await Own(session, context, id);
        if (request is null) return (null, Results.NotFound());
        if (request.Step != step || (path is not null && request.Path != path))
            return (null, Wizard(context, request, Error("form", "renewal.error.step"), status: StatusCodes.Status409Conflict));
        if (clock.GetUtcNow() >= request.ExpiresAt)
            return (null, Wizard(context, request, Error("form", "renewal.error.expired"), status: StatusCodes.Status422UnprocessableEntity));
        return (request, null);
    }

    /// <summary>Someone else's renewal id is "not found", exactly like an id that does not exist.</summary>
    private static async Task<RenewalRequest?> Own(IQuerySession session, HttpContext context, Guid id)
    {
        var request = await session.LoadAsync<RenewalRequest>(id, context.RequestAborted);
        return request is not null && request.HolderId == context.HolderId() ? request : null;
    }

    private static async Task<RenewalRequest?> Active(IQuerySession session, string holderId, CancellationToken cancellation) =>
        await session.Query<RenewalRequest>().Where(r => r.HolderId == holderId && r.Step != RenewalStep.Done && r.Step != RenewalStep.Cancelled)
            .OrderByDescending(r => r.CreatedAt).FirstOrDefaultAsync(cancellation);

    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    private static Dictionary<string, string> Error(string field, string key) => new() { [field] = key };

    private static IResult Wizard(HttpContext context, RenewalRequest request, IReadOnlyDictionary<string, string>? errors = null,
        IReadOnlyDictionary<string, string>? values = null, int status = StatusCodes.Status200OK)
    {
        var third = "renewal.step." + request.Path;
        string[] labels = ["renewal.step.consents", "renewal.step.confirm", third, "renewal.step.activate", "renewal.step.confirm"];
        var current = (int)request.Step;
        var steps = labels.Select((label, i) => new StepView(i + 1, label,
            request.Step == RenewalStep.Cancelled ? "pending" : i < current ? "done" : i == current ? "current" : "pending")).ToList();
        var name = context.User.Identity?.Name ?? "";
        return Html("Wizard/Wizard", new WizardView(request.Id, request.Path, request.Step.ToString().ToLowerInvariant(), steps, name, request.UniqueIdentifier,
            request.ExpiresAt, errors ?? None, values ?? None, request.OtpChannel is { } channel ? OtpIssued.NoticeFor(channel, request.OtpDestination) : null,
            OtpIssued.DigitsFor(request.OtpChannel ?? ReceptionMode.Sms), request.NewUniqueIdentifier, request.OrderId, request.FinishLater), status);
    }

    private static IResult Html(string template, object model, int status = StatusCodes.Status200OK) => Html(template, model, "renewal.title", status);

    private static IResult Html(string template, object model, string title, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(RenewalWizardEndpoints).Assembly, template, model, title) { StatusCode = status };
}
