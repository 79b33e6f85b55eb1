using MySign.Kernel.Security;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using MySign.Accounts.Contracts;
using MySign.Billing.Contracts;
using MySign.Certificates.Contracts;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using MySign.Otp.Contracts;
using MySign.Renewal.Domain;
using MySign.Renewal.Portal;
using Wolverine;
using Wolverine.Http;

namespace MySign.Renewal.Wizard;

public sealed record StepView(int Number, string Label, string State);
public sealed record WizardView(Guid Id, string Path, string Step, IReadOnlyList<StepView> Steps, string Name, string Iut, DateTimeOffset ExpiresAt,
    IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, string> Values, string? Factor, string? Destination, string? NewIut, string? OrderPath, bool FinishLater,
    string? Passkey = null, bool JustSaved = false)
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
/// operation, Insert Coupon / RAO verification, Activate the certificate, Confirm the operation). Each step is
/// accepted only at its turn, for the holder's own renewal; Cancel at any step leaves the certificate untouched.
/// </summary>
public static class RenewalWizardEndpoints
{
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
    public static async Task<IResult> Start([FromForm] string? path, HttpContext context, IDocumentSession session, TimeProvider clock)
    {
        var holderId = context.HolderId();
        path ??= "";
        var now = clock.GetUtcNow();
        // One renewal at a time: an unfinished one is resumed, whatever option was pressed.
        if (await Active(session, holderId, context.RequestAborted) is { } active) return Results.Redirect($"/renewal/{active.Id}");
        var certificate = await session.LoadAsync<RenewableCertificate>(holderId, context.RequestAborted);
        var started = RenewalDecisions.Start(Guid.CreateVersion7(now), holderId, path, certificate, now);
        if (!started.Accepted)
            return Html("Wizard/Renew", new RenewPageView(RenewBox.View(certificate, now), null, false), StatusCodes.Status422UnprocessableEntity);
        session.Insert(started.State);
        await session.SaveChangesAsync(context.RequestAborted);
        return Results.Redirect($"/renewal/{started.State.Id}");
    }

    [WolverineGet("/renewal/{id}")]
    public static async Task<IResult> Show(Guid id, HttpContext context, IQuerySession session)
    {
        var request = await Own(session, context, id);
        return request is null ? Results.NotFound() : Wizard(context, request);
    }

    [WolverinePost("/renewal/{id}/consents")]
    public static async Task<IResult> Consents(Guid id, [FromForm] ConsentsForm form, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Consents, clock);
        if (request is null) return refusal!;
        var pin = form.Pin ?? "";
        if (RenewalDecisions.Consents(form.Conditions == "on", form.DataValid == "on", pin) is { Count: > 0 } gaps)
            return Wizard(context, request, gaps.ToDictionary(g => g.Field, g => g.Key), status: StatusCodes.Status422UnprocessableEntity);
        var checkedPin = request.PinChecked(await bus.InvokeAsync<SignaturePinChecked>(new CheckSignaturePin(request.HolderId, pin), context.RequestAborted));
        if (!checkedPin.Accepted) return await Apply(context, session, bus, checkedPin);
        return await SendOtp(context, session, bus, request);
    }

    [WolverinePost("/renewal/{id}/confirm")]
    public static async Task<IResult> Confirm(Guid id, [FromForm] string? code, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.ConfirmOperation, clock);
        if (request is null) return refusal!;
        return await Apply(context, session, bus, request.ConfirmOtp(await VerifyOtp(context, bus, request, code)));
    }

    [WolverinePost("/renewal/{id}/coupon")]
    public static async Task<IResult> Coupon(Guid id, [FromForm] string? coupon, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Payment, clock, RenewalPaths.Coupon);
        if (request is null) return refusal!;
        var code = (coupon ?? "").Trim();
        var typed = new Dictionary<string, string> { ["coupon"] = code.Length > 40 ? code[..40] : code };
        if (code.Length == 0) return Refused(context, request, new Refusal("coupon", "coupon.error.required", RefusalKind.Invalid), typed);
        var redemption = await bus.InvokeAsync<CouponRedemption>(new RedeemCoupon(code, request.HolderId, request.Id), context.RequestAborted);
        return await Apply(context, session, bus, request.CouponRedeemed(code, redemption), typed);
    }

    /// <summary>"Proceed to payment": the store order for this renewal (one per renewal), then the store's pages.</summary>
    [WolverinePost("/renewal/{id}/store")]
    public static async Task<IResult> Store(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Payment, clock, RenewalPaths.Store);
        if (request is null) return refusal!;
        var opened = await bus.InvokeAsync<RenewalOrderOpened>(new OpenRenewalOrder(request.Id, request.HolderId, $"/renewal/{request.Id}"), context.RequestAborted);
        var shown = await Apply(context, session, bus, request.OrderOpened(opened));
        return shown is HtmlView { StatusCode: StatusCodes.Status200OK } ? Results.Redirect(LocalPath.OrHome(opened.CartPath)) : shown;
    }

    [WolverinePost("/renewal/{id}/rao"), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Rao(Guid id, [FromForm] RaoForm form, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Payment, clock, RenewalPaths.Rao);
        if (request is null) return refusal!;
        var username = (form.Username ?? "").Trim();
        var typed = new Dictionary<string, string> { ["rao_username"] = username.Length > 64 ? username[..64] : username };
        var verdict = await bus.InvokeAsync<RaoCredentialsVerified>(new VerifyRaoCredentials(username, form.Password ?? "", request.HolderId), context.RequestAborted);
        return await Apply(context, session, bus, request.RaoVerified(verdict), typed);
    }

    [WolverinePost("/renewal/{id}/pin")]
    public static async Task<IResult> NewPin(Guid id, [FromForm] NewPinForm form, HttpContext context, IDocumentSession session, IMessageBus bus,
        IDataProtectionProvider protection, TimeProvider clock)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.Activate, clock);
        if (request is null) return refusal!;
        var pin = form.Pin ?? "";
        var rules = await bus.InvokeAsync<PinRulesChecked>(new CheckPinRules(pin), context.RequestAborted);
        var chosen = request.NewPin(rules, pin == (form.Confirmation ?? ""), () => protection.Seal(PinProtection, pin));
        if (!chosen.Accepted) return await Apply(context, session, bus, chosen);
        return await SendOtp(context, session, bus, chosen.State);
    }

    [WolverinePost("/renewal/{id}/activate")]
    public static async Task<IResult> Activate(Guid id, [FromForm] string? code, HttpContext context, IDocumentSession session, IMessageBus bus,
        IDataProtectionProvider protection, TimeProvider clock, ILogger<RenewalRequest> logger)
    {
        var (request, refusal) = await At(session, context, id, RenewalStep.ConfirmActivation, clock);
        if (request is null) return refusal!;
        var confirmed = request.ActivationConfirmed(await VerifyOtp(context, bus, request, code));
        if (!confirmed.Accepted) return await Apply(context, session, bus, confirmed);
        // The OTP is single use, so of two parallel submissions only one reaches this point.
        var pin = protection.Open(PinProtection, request.ProtectedPin!);
        // Suspended or revoked since the renewal began: nothing is issued, and the request says why.
        var outcome = await bus.InvokeAsync<RenewalOutcome>(new RenewCertificate(request.HolderId, pin), context.RequestAborted);
        var done = request.Activated(outcome.Issued, clock.GetUtcNow(), Kernel.Localization.Strings.Language);
        if (done.Accepted)
        {
            Kernel.Operations.Telemetry.RenewalsCompleted.Add(1, new KeyValuePair<string, object?>("path", request.Path));
            logger.LogInformation("Holder {HolderId} renewed the certificate ({Path})", request.HolderId, request.Path);
        }
        return await Apply(context, session, bus, done);
    }

    /// <summary>
    /// After the RAO verification the holder may stop and finish at home: nothing changes but where the next sign-in
    /// lands (this renewal, asked of Accounts); the page then offers to sign out.
    /// </summary>
    [WolverinePost("/renewal/{id}/later")]
    public static async Task<IResult> Later(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var request = await Own(session, context, id);
        return request is null ? Results.NotFound() : await Apply(context, session, bus, request.FinishLater(clock.GetUtcNow()), justSaved: true);
    }

    [WolverinePost("/renewal/{id}/resend")]
    public static async Task<IResult> Resend(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus)
    {
        var request = await Own(session, context, id);
        if (request is null) return Results.NotFound();
        return request.Step is RenewalStep.ConfirmOperation or RenewalStep.ConfirmActivation
            ? await SendOtp(context, session, bus, request)
            : Refused(context, request, new Refusal("form", "renewal.error.step", RefusalKind.Conflict));
    }

    [WolverinePost("/renewal/{id}/cancel")]
    public static async Task<IResult> Cancel(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var request = await Own(session, context, id);
        if (request is null) return Results.NotFound();
        var cancelled = await Apply(context, session, bus, request.Cancel(clock.GetUtcNow()));
        return cancelled is HtmlView { StatusCode: StatusCodes.Status200OK } ? Results.Redirect("/renewal?cancelled=1") : cancelled;
    }

    /// <summary>Asks Otp for a code bound to the current step's purpose and this renewal; the decision moves the step on.</summary>
    private static async Task<IResult> SendOtp(HttpContext context, IDocumentSession session, IMessageBus bus, RenewalRequest request)
    {
        var issued = await bus.SendOtpAsync(request.HolderId, request.OtpPurpose()!, request.Id.ToString(), context.RequestAborted);
        return await Apply(context, session, bus, request.CodeSent(issued));
    }

    private static async Task<OtpVerified> VerifyOtp(HttpContext context, IMessageBus bus, RenewalRequest request, string? code)
    {
        if (request.ChallengeId is not { } challenge) return new OtpVerified(OtpOutcome.Unknown, 0);
        return await bus.CheckOtpAsync(challenge, request.HolderId, request.OtpPurpose()!, request.Id.ToString(), code, context.RequestAborted);
    }

    /// <summary>
    /// Applies a decision: a refusal is drawn next to its field; otherwise the new state is saved with its messages
    /// (Wolverine's outbox sends them only if the save commits). A parallel submission of the same step loses the
    /// version check and is told so.
    /// </summary>
    /// <param name="justSaved">The answer to "Finish later": only then does the page say it is saved and offer to sign out (not when the holder comes back to it).</param>
    private static async Task<IResult> Apply(HttpContext context, IDocumentSession session, IMessageBus bus, RenewalDecision decision,
        IReadOnlyDictionary<string, string>? typed = null, bool justSaved = false)
    {
        if (decision.Refused is { } refusal) return Refused(context, decision.State, refusal, typed);
        foreach (var message in decision.Messages) await bus.PublishAsync(message);
        session.Store(decision.State);
        try
        {
            await session.SaveChangesAsync(context.RequestAborted);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return new HtmlView(typeof(RenewalWizardEndpoints).Assembly, "Wizard/Conflict", decision.State.Id, "renewal.title") { StatusCode = StatusCodes.Status409Conflict };
        }
        return Wizard(context, decision.State, justSaved: justSaved);
    }

    private static IResult Refused(HttpContext context, RenewalRequest request, Refusal refusal, IReadOnlyDictionary<string, string>? typed = null) =>
        Wizard(context, request, Error(refusal.Field, refusal.Key), typed, refusal.Kind switch
        {
            RefusalKind.Conflict => StatusCodes.Status409Conflict,
            RefusalKind.Throttled => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status422UnprocessableEntity,
        });

    /// <summary>The holder's renewal if it is at <paramref name="step"/> (and on <paramref name="path"/>), in the window; else the refusal to show.</summary>
    private static async Task<(RenewalRequest?, IResult?)> At(IDocumentSession session, HttpContext context, Guid id, RenewalStep step, TimeProvider clock, string? path = null)
    {
        var request = await Own(session, context, id);
        if (request is null) return (null, Results.NotFound());
        return request.At(step, clock.GetUtcNow(), path) is { } refusal ? (null, Refused(context, request, refusal)) : (request, null);
    }

    /// <summary>Someone else's renewal id is "not found", exactly like an id that does not exist.</summary>
    private static Task<RenewalRequest?> Own(IQuerySession session, HttpContext context, Guid id) =>
        Kernel.Documents.HolderOwned.LoadOwnAsync<RenewalRequest>(session, id, context);

    private static async Task<RenewalRequest?> Active(IQuerySession session, string holderId, CancellationToken cancellation) =>
        await session.Query<RenewalRequest>().Where(r => r.HolderId == holderId && r.Step != RenewalStep.Done && r.Step != RenewalStep.Cancelled)
            .OrderByDescending(r => r.CreatedAt).FirstOrDefaultAsync(cancellation);

    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    private static Dictionary<string, string> Error(string field, string key) => new() { [field] = key };

    private static IResult Wizard(HttpContext context, RenewalRequest request, IReadOnlyDictionary<string, string>? errors = null,
        IReadOnlyDictionary<string, string>? values = null, int status = StatusCodes.Status200OK, bool justSaved = false)
    {
        var third = "renewal.step." + request.Path;
        string[] labels = ["renewal.step.consents", "renewal.step.confirm", third, "renewal.step.activate", "renewal.step.confirm"];
        var current = (int)request.Step;
        var steps = labels.Select((label, i) => new StepView(i + 1, label,
            request.Step == RenewalStep.Cancelled ? "pending" : i < current ? "done" : i == current ? "current" : "pending")).ToList();
        var name = context.User.Identity?.Name ?? "";
        return Html("Wizard/Wizard", new WizardView(request.Id, request.Path, request.Step.ToString().ToLowerInvariant(), steps, name, request.UniqueIdentifier,
            request.ExpiresAt, errors ?? None, values ?? None, request.OtpChannel?.ToString().ToLowerInvariant(), request.OtpDestination, request.NewUniqueIdentifier, request.OrderId is null ? null : LocalPath.OrHome(request.OrderPath), request.FinishLater,
            request.OtpChannel == ReceptionMode.Passkey ? request.ChallengeId?.ToString() : null, justSaved), status);
    }

    private static IResult Html(string template, object model, int status = StatusCodes.Status200OK) => Html(template, model, "renewal.title", status);

    private static IResult Html(string template, object model, string title, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(RenewalWizardEndpoints).Assembly, template, model, title) { StatusCode = status };
}
