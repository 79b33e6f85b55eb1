using MySign.Kernel.Security;
using Marten;
using MySign.Kernel.Documents;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using MySign.Accounts.Contracts;
using MySign.Billing.Contracts;
using MySign.Certificates.Contracts;
using MySign.Kernel.Web;
using MySign.Renewal.Domain;
using MySign.Renewal.Portal;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace MySign.Renewal.Wizard;

public sealed record StepView(int Number, string Label, string State);
public sealed record WizardView(Guid Id, string Path, string Step, IReadOnlyList<StepView> Steps, string Name, string Iut, DateTimeOffset ExpiresAt,
    IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, string> Values, string? Factor, string? Destination, string? NewIut, string? OrderPath, bool FinishLater,
    string? Passkey = null, bool JustSaved = false, bool Resent = false)
{
    /// <summary>"Sign out" after the RAO's "Finish later": Accounts' page.</summary>
    public string SignOutPath => AccountPages.SignOut;
}
public sealed record RenewPageView(RenewBoxView Box, Guid? InProgress, bool Cancelled)
{
    public string ReactivatePath => CertificatePages.Reactivate;
}

// The wizard's forms, bound by Wolverine ([FromForm]) from the fields the templates post.
public sealed class ConsentsForm
{
    public string? Conditions { get; set; }
    [FromForm(Name = "data_valid")] public string? DataValid { get; set; }
    public string? Pin { get; set; }
}

public sealed class RaoForm
{
    [FromForm(Name = "rao_username")] public string? Username { get; set; }
    [FromForm(Name = "rao_password")] public string? Password { get; set; }
}

public sealed class NewPinForm
{
    [FromForm(Name = "new_pin")] public string? Pin { get; set; }
    [FromForm(Name = "confirm_pin")] public string? Confirmation { get; set; }
}

/// <summary>
/// "Renew digital signature": the renewal page with its options and the five-step wizard (Consents, Confirm the
/// operation, Insert Coupon / RAO verification, Activate the certificate, Confirm the operation). Each step is one
/// slice in Wolverine's shape: <c>LoadAsync</c> finds the holder's own renewal (someone else's id is "not found"),
/// <c>Validate</c> refuses it unless it is at that step, and <c>Post</c> asks the other modules what it needs, lets
/// <see cref="RenewalDecisions"/> decide, and returns the page, the renewal to store and the messages to send: Wolverine
/// saves them in one transaction with its outbox. A lost race (the same step sent twice, two tabs) fails that save and
/// the host answers the 409 page ("changed meanwhile: nothing was done"). Cancel at any step leaves the certificate untouched.
/// </summary>
public static class RenewalPage
{
    [WolverineGet("/renewal")]
    public static async Task<IResult> Get(HttpContext context, IQuerySession session, TimeProvider clock, string? cancelled)
    {
        var holderId = context.HolderId();
        var certificate = await session.LoadAsync<RenewableCertificate>(holderId, context.RequestAborted);
        var active = await WizardPages.ActiveAsync(session, holderId, context.RequestAborted);
        return WizardPages.Html("Wizard/Renew", new RenewPageView(RenewBox.View(certificate, clock.GetUtcNow()), active?.Id, cancelled == "1"));
    }
}

/// <summary>One of the renewal options pressed: a new renewal at Consents, or the unfinished one resumed (one at a time).</summary>
public static class StartRenewal
{
    public static async Task<(RenewableCertificate?, RenewalRequest?)> LoadAsync(HttpContext context, IDocumentSession session)
    {
        var holderId = context.HolderId();
        return (await session.LoadAsync<RenewableCertificate>(holderId, context.RequestAborted), await WizardPages.ActiveAsync(session, holderId, context.RequestAborted));
    }

    [WolverinePost("/renewal")]
    public static (IResult, IMartenOp) Post([FromForm] string? path, [NotBody] RenewableCertificate? certificate, [NotBody] RenewalRequest? active, HttpContext context, TimeProvider clock)
    {
        if (active is not null) return (Results.Redirect($"/renewal/{active.Id}"), MartenOps.Nothing());
        var now = clock.GetUtcNow();
        var started = RenewalDecisions.Start(Guid.CreateVersion7(now), context.HolderId(), path ?? "", certificate, now);
        return started.Accepted
            ? (Results.Redirect($"/renewal/{started.State.Id}"), MartenOps.Insert(started.State))
            : (WizardPages.Html("Wizard/Renew", new RenewPageView(RenewBox.View(certificate, now), null, false), StatusCodes.Status422UnprocessableEntity), MartenOps.Nothing());
    }
}

public static class ShowRenewal
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IQuerySession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request) => request is null ? Results.NotFound() : WolverineContinue.Result();

    [WolverineGet("/renewal/{id}")]
    public static IResult Get([NotBody] RenewalRequest request, HttpContext context) => WizardPages.Wizard(context, request);
}

/// <summary>Step 1: both consents and the signature PIN (checked by Certificates); then the confirmation code is sent.</summary>
public static class GiveConsents
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request, HttpContext context, TimeProvider clock) => WizardPages.AtStep(context, request, RenewalStep.Consents, clock);

    [WolverinePost("/renewal/{id}/consents")]
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> Post([FromForm] ConsentsForm form, [NotBody] RenewalRequest request, HttpContext context, IMessageBus bus)
    {
        var pin = form.Pin ?? "";
        if (RenewalDecisions.Consents(form.Conditions == "on", form.DataValid == "on", pin) is { Count: > 0 } gaps)
            return WizardPages.Unchanged(WizardPages.Wizard(context, request, gaps.ToDictionary(g => g.Field, g => g.Key), status: StatusCodes.Status422UnprocessableEntity));
        var checkedPin = request.PinChecked(await bus.InvokeAsync<SignaturePinChecked>(new CheckSignaturePin(request.HolderId, pin), context.RequestAborted));
        return checkedPin.Accepted ? await WizardPages.SendOtpAsync(context, bus, request) : WizardPages.Applied(context, checkedPin);
    }
}

/// <summary>Step 2: the confirmation code.</summary>
public static class ConfirmRenewal
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request, HttpContext context, TimeProvider clock) => WizardPages.AtStep(context, request, RenewalStep.ConfirmOperation, clock);

    [WolverinePost("/renewal/{id}/confirm")]
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> Post([FromForm] string? code, [NotBody] RenewalRequest request, HttpContext context, IMessageBus bus) =>
        WizardPages.Applied(context, request.ConfirmOtp(await WizardPages.VerifyOtpAsync(context, bus, request, code)));
}

/// <summary>Step 3 by coupon: Billing redeems it for this renewal.</summary>
public static class RedeemRenewalCoupon
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request, HttpContext context, TimeProvider clock) =>
        WizardPages.AtStep(context, request, RenewalStep.Payment, clock, RenewalPaths.Coupon);

    [WolverinePost("/renewal/{id}/coupon")]
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> Post([FromForm] string? coupon, [NotBody] RenewalRequest request, HttpContext context, IMessageBus bus)
    {
        var code = (coupon ?? "").Trim();
        var typed = new Dictionary<string, string> { ["coupon"] = code.Length > 40 ? code[..40] : code };
        if (code.Length == 0) return WizardPages.Unchanged(WizardPages.Refused(context, request, new Refusal("coupon", "coupon.error.required", RefusalKind.Invalid), typed));
        var redemption = await bus.InvokeAsync<CouponRedemption>(new RedeemCoupon(code, request.HolderId, request.Id), context.RequestAborted);
        return WizardPages.Applied(context, request.CouponRedeemed(code, redemption), typed);
    }
}

/// <summary>Step 3 in the store, "Proceed to payment": the store order for this renewal (one per renewal), then the store's pages.</summary>
public static class ProceedToPayment
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request, HttpContext context, TimeProvider clock) =>
        WizardPages.AtStep(context, request, RenewalStep.Payment, clock, RenewalPaths.Store);

    [WolverinePost("/renewal/{id}/store")]
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> Post([NotBody] RenewalRequest request, HttpContext context, IMessageBus bus)
    {
        var opened = await bus.InvokeAsync<RenewalOrderOpened>(new OpenRenewalOrder(request.Id, request.HolderId, $"/renewal/{request.Id}"), context.RequestAborted);
        return WizardPages.Applied(context, request.OrderOpened(opened), then: Results.Redirect(LocalPath.OrHome(opened.CartPath)));
    }
}

/// <summary>Step 3 at the RAO desk: the operator's credentials, for a holder of the operator's office.</summary>
public static class VerifyAtRao
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request, HttpContext context, TimeProvider clock) =>
        WizardPages.AtStep(context, request, RenewalStep.Payment, clock, RenewalPaths.Rao);

    [WolverinePost("/renewal/{id}/rao"), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.Login)]
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> Post([FromForm] RaoForm form, [NotBody] RenewalRequest request, HttpContext context, IMessageBus bus)
    {
        var username = (form.Username ?? "").Trim();
        var typed = new Dictionary<string, string> { ["rao_username"] = username.Length > 64 ? username[..64] : username };
        var verdict = await bus.InvokeAsync<RaoCredentialsVerified>(new VerifyRaoCredentials(username, form.Password ?? "", request.HolderId), context.RequestAborted);
        return WizardPages.Applied(context, request.RaoVerified(verdict), typed);
    }
}

/// <summary>Step 4: the new PIN, checked against Certificates' rules and kept sealed until the last code; then that code is sent.</summary>
public static class ChooseNewPin
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request, HttpContext context, TimeProvider clock) => WizardPages.AtStep(context, request, RenewalStep.Activate, clock);

    [WolverinePost("/renewal/{id}/pin")]
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> Post([FromForm] NewPinForm form, [NotBody] RenewalRequest request, HttpContext context, IMessageBus bus,
        IDataProtectionProvider protection)
    {
        var pin = form.Pin ?? "";
        var rules = await bus.InvokeAsync<PinRulesChecked>(new CheckPinRules(pin), context.RequestAborted);
        var chosen = request.NewPin(rules, pin == (form.Confirmation ?? ""), () => protection.Seal(WizardPages.PinProtection, pin));
        return chosen.Accepted ? await WizardPages.SendOtpAsync(context, bus, chosen.State) : WizardPages.Applied(context, chosen);
    }
}

/// <summary>Step 5: the activation code; then Certificates issues the new certificate under the new PIN.</summary>
public static class ActivateRenewedCertificate
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request, HttpContext context, TimeProvider clock) => WizardPages.AtStep(context, request, RenewalStep.ConfirmActivation, clock);

    [WolverinePost("/renewal/{id}/activate"), LostRacePage("renewal.lost_race.title", "renewal.lost_race.text")]
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> Post([FromForm] string? code, [NotBody] RenewalRequest request, HttpContext context, IMessageBus bus,
        IDataProtectionProvider protection, TimeProvider clock, ILogger<RenewalRequest> logger)
    {
        var confirmed = request.ActivationConfirmed(await WizardPages.VerifyOtpAsync(context, bus, request, code));
        if (!confirmed.Accepted) return WizardPages.Applied(context, confirmed);
        // The OTP is single use, so of two parallel activations only one reaches this point. Should this save still lose (to
        // "Send new OTP" in another tab, committed while the certificate was being issued), the host answers 409 (saying the
        // certificate may be issued) and the next code asks again for this renewal's certificate: Certificates answers the one
        // already issued, never a second.
        var pin = protection.Open(WizardPages.PinProtection, request.ProtectedPin!);
        // Suspended or revoked since the renewal began: nothing is issued, and the request says why.
        var outcome = await bus.InvokeAsync<RenewalOutcome>(new RenewCertificate(request.HolderId, pin, request.Id), context.RequestAborted);
        var done = request.Activated(outcome.Issued, clock.GetUtcNow(), Kernel.Localization.Strings.Language);
        if (done.Accepted)
        {
            Kernel.Operations.Telemetry.RenewalsCompleted.Add(1, new KeyValuePair<string, object?>("path", request.Path));
            logger.LogInformation("Holder {HolderId} renewed the certificate ({Path})", request.HolderId, request.Path);
        }
        return WizardPages.Applied(context, done);
    }
}

/// <summary>
/// After the RAO verification the holder may stop and finish at home: nothing changes but where the next sign-in
/// lands (this renewal, asked of Accounts); the page then offers to sign out.
/// </summary>
public static class FinishRenewalLater
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request) => request is null ? Results.NotFound() : WolverineContinue.Result();

    [WolverinePost("/renewal/{id}/later")]
    public static (IResult, IMartenOp, OutgoingMessages) Post([NotBody] RenewalRequest request, HttpContext context, TimeProvider clock) =>
        WizardPages.Applied(context, request.FinishLater(clock.GetUtcNow()), justSaved: true);
}

/// <summary>"Send new OTP" at either confirmation step.</summary>
public static class ResendRenewalCode
{
    public static Task<RenewalRequest?> LoadAsync(Guid id, HttpContext context, IDocumentSession session) => session.LoadOwnAsync<RenewalRequest>(id, context);

    public static IResult Validate(RenewalRequest? request, HttpContext context) =>
        request is null ? Results.NotFound()
        : request.Step is RenewalStep.ConfirmOperation or RenewalStep.ConfirmActivation ? WolverineContinue.Result()
        : WizardPages.Refused(context, request, new Refusal("form", "renewal.error.step", RefusalKind.Conflict));

    [WolverinePost("/renewal/{id}/resend")]
    public static Task<(IResult, IMartenOp, OutgoingMessages)> Post([NotBody] RenewalRequest request, HttpContext context, IMessageBus bus) =>
        WizardPages.SendOtpAsync(context, bus, request, resent: true);
}

public static class CancelRenewal
{
    public static async Task<(RenewalRequest?, RenewableCertificate?)> LoadAsync(Guid id, HttpContext context, IDocumentSession session) =>
        (await session.LoadOwnAsync<RenewalRequest>(id, context), await session.LoadAsync<RenewableCertificate>(context.HolderId(), context.RequestAborted));

    public static IResult Validate(RenewalRequest? request) => request is null ? Results.NotFound() : WolverineContinue.Result();

    [WolverinePost("/renewal/{id}/cancel")]
    public static (IResult, IMartenOp, OutgoingMessages) Post([NotBody] RenewalRequest request, [NotBody] RenewableCertificate? certificate, HttpContext context,
        TimeProvider clock) =>
        WizardPages.Applied(context, request.Cancel(clock.GetUtcNow(), certificateActive: certificate?.Renewable == true), then: Results.Redirect("/renewal?cancelled=1"));
}
