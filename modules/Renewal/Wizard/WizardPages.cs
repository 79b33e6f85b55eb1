using Marten;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using MySign.Otp.Contracts;
using MySign.Renewal.Domain;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace MySign.Renewal.Wizard;

/// <summary>What every step shares: the guard, the asks to Otp, turning a decision into Wolverine's returns, and the pages.</summary>
internal static class WizardPages
{
    public const string PinProtection = "MySign.Renewal.NewPin";

    /// <summary>The guard of a step (Validate): someone else's or no renewal is "not found"; at another step (or path) or past the certificate's end, the refusal.</summary>
    public static IResult AtStep(HttpContext context, RenewalRequest? request, RenewalStep step, TimeProvider clock, string? path = null) =>
        request is null ? Results.NotFound()
        : request.At(step, clock.GetUtcNow(), path) is { } refusal ? Refused(context, request, refusal)
        : WolverineContinue.Result();

    /// <summary>Asks Otp for a code bound to the current step's purpose and this renewal; the decision moves the step on.</summary>
    /// <param name="resent">"Send new OTP": the page then says a new code went out and the one before no longer works.</param>
    public static async Task<(IResult, IMartenOp, OutgoingMessages)> SendOtpAsync(HttpContext context, IMessageBus bus, RenewalRequest request, bool resent = false)
    {
        var issued = await bus.SendOtpAsync(request.HolderId, request.OtpPurpose()!, request.Id.ToString(), context.RequestAborted);
        return Applied(context, request.CodeSent(issued), resent: resent);
    }

    public static async Task<OtpVerified> VerifyOtpAsync(HttpContext context, IMessageBus bus, RenewalRequest request, string? code)
    {
        if (request.ChallengeId is not { } challenge) return new OtpVerified(OtpOutcome.Unknown, 0);
        return await bus.CheckOtpAsync(challenge, request.HolderId, request.OtpPurpose()!, request.Id.ToString(), code, context.RequestAborted);
    }

    /// <summary>
    /// A decision as Wolverine's returns: a refusal is drawn next to its field and nothing is stored; otherwise the page
    /// (or <paramref name="then"/>), the new state and its messages, which Wolverine commits together or not at all.
    /// </summary>
    /// <param name="justSaved">The answer to "Finish later": only then does the page say it is saved and offer to sign out (not when the holder comes back to it).</param>
    public static (IResult, IMartenOp, OutgoingMessages) Applied(HttpContext context, RenewalDecision decision, IReadOnlyDictionary<string, string>? typed = null,
        bool justSaved = false, IResult? then = null, bool resent = false)
    {
        if (decision.Refused is { } refusal) return Unchanged(Refused(context, decision.State, refusal, typed));
        var messages = new OutgoingMessages();
        messages.AddRange(decision.Messages);
        return (then ?? Wizard(context, decision.State, justSaved: justSaved, resent: resent), MartenOps.Store(decision.State), messages);
    }

    public static (IResult, IMartenOp, OutgoingMessages) Unchanged(IResult page) => (page, MartenOps.Nothing(), []);

    public static IResult Refused(HttpContext context, RenewalRequest request, Refusal refusal, IReadOnlyDictionary<string, string>? typed = null) =>
        Wizard(context, request, new Dictionary<string, string> { [refusal.Field] = refusal.Key }, typed, refusal.Kind switch
        {
            RefusalKind.Conflict => StatusCodes.Status409Conflict,
            RefusalKind.Throttled => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status422UnprocessableEntity,
        });

    public static async Task<RenewalRequest?> ActiveAsync(IQuerySession session, string holderId, CancellationToken cancellation) =>
        await session.Query<RenewalRequest>().Where(r => r.HolderId == holderId && r.Step != RenewalStep.Done && r.Step != RenewalStep.Cancelled)
            .OrderByDescending(r => r.CreatedAt).FirstOrDefaultAsync(cancellation);

    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    public static IResult Wizard(HttpContext context, RenewalRequest request, IReadOnlyDictionary<string, string>? errors = null,
        IReadOnlyDictionary<string, string>? values = null, int status = StatusCodes.Status200OK, bool justSaved = false, bool resent = false)
    {
        var third = "renewal.step." + request.Path;
        string[] labels = ["renewal.step.consents", "renewal.step.confirm", third, "renewal.step.activate", "renewal.step.confirm"];
        var current = (int)request.Step;
        var steps = labels.Select((label, i) => new StepView(i + 1, label,
            request.Step == RenewalStep.Cancelled ? "pending" : i < current ? "done" : i == current ? "current" : "pending")).ToList();
        var name = context.User.Identity?.Name ?? "";
        return Html("Wizard/Wizard", new WizardView(request.Id, request.Path, request.Step.ToString().ToLowerInvariant(), steps, name, request.UniqueIdentifier,
            request.ExpiresAt, errors ?? None, values ?? None, request.OtpChannel?.ToString().ToLowerInvariant(), request.OtpDestination, request.NewUniqueIdentifier, request.OrderId is null ? null : LocalPath.OrHome(request.OrderPath), request.FinishLater,
            request.OtpChannel == ReceptionMode.Passkey ? request.ChallengeId?.ToString() : null, justSaved, resent), status);
    }

    public static IResult Html(string template, object model, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(WizardPages).Assembly, template, model, "renewal.title") { StatusCode = status };
}
