using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Accounts.Domain;
using MySign.Accounts.Mail;
using MySign.Certificates.Contracts;
using Microsoft.AspNetCore.DataProtection;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace MySign.Accounts.Rao;

public sealed class DeskForm
{
    [FromForm(Name = "doc_type")] public string? DocumentType { get; set; }
    [FromForm(Name = "doc_number")] public string? DocumentNumber { get; set; }
    [FromForm(Name = "doc_expiry")] public string? DocumentExpiry { get; set; }

    public TypedDocument Typed => new(DocumentType ?? "", (DocumentNumber ?? "").Trim(), DocumentExpiry ?? "");
}

public sealed record DeskView(IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, string> Values, string? Done);

/// <summary>
/// The RAO desk for a holder in trouble, one door per action, after an identity document is checked (type, number,
/// expiry recorded with the operator and office): a lost OTP phone (the old factor stops at once; the holder registers a
/// new phone from a link sent to the recovery e-mail), a blocked PIN the holder still knows (a fresh count of attempts),
/// or a forgotten PIN (a link to choose a new one). Each door: <c>LoadAsync</c> finds a holder of the operator's office
/// (else "not found"), <c>ValidateAsync</c> shows the check's problems next to their fields, and <c>Post</c> returns what
/// <see cref="DeskRules.Decide"/> decided, which Wolverine commits with its messages before the page reads the trail back.
/// </summary>
public static class ResetOtpAtDesk
{
    public static Task<HolderAccount?> LoadAsync(string id, HttpContext context, IQuerySession session) => RaoConsoleEndpoints.OfficeHolderAsync(session, context, id);

    public static Task<IResult> ValidateAsync([FromForm] DeskForm form, HolderAccount? holder, HttpContext context, IQuerySession session, TimeProvider clock) =>
        DeskDoor.CheckAsync(DeskAction.ResetOtp, form, holder, context, session, clock);

    [WolverinePost("/rao/holders/{id}/desk/reset-otp")]
    public static (IResult, IMartenOp, IMartenOp, OutgoingMessages) Post([NotBody] DeskForm form, [NotBody] HolderAccount holder, HttpContext context,
        IDataProtectionProvider protection, TimeProvider clock) => DeskDoor.Act(DeskAction.ResetOtp, form, holder, context, protection, clock);
}

public static class UnblockPinAtDesk
{
    public static Task<HolderAccount?> LoadAsync(string id, HttpContext context, IQuerySession session) => RaoConsoleEndpoints.OfficeHolderAsync(session, context, id);

    /// <summary>Besides the check, a PIN to unblock: Certificates says how many attempts the holder's PIN has left.</summary>
    public static async Task<IResult> ValidateAsync([FromForm] DeskForm form, HolderAccount? holder, HttpContext context, IQuerySession session, IMessageBus bus,
        TimeProvider clock) =>
        await DeskDoor.CheckAsync(DeskAction.UnblockPin, form, holder, context, session, clock,
            DeskRules.UnblockProblem(await DeskDoor.CredentialAsync(holder, bus, context), clock.GetUtcNow()));

    [WolverinePost("/rao/holders/{id}/desk/unblock-pin")]
    public static (IResult, IMartenOp, IMartenOp, OutgoingMessages) Post([NotBody] DeskForm form, [NotBody] HolderAccount holder, HttpContext context,
        IDataProtectionProvider protection, TimeProvider clock) => DeskDoor.Act(DeskAction.UnblockPin, form, holder, context, protection, clock);
}

public static class ForgottenPinAtDesk
{
    public static Task<HolderAccount?> LoadAsync(string id, HttpContext context, IQuerySession session) => RaoConsoleEndpoints.OfficeHolderAsync(session, context, id);

    /// <summary>Besides the check, a certificate still in use to make the new key for (Certificates says).</summary>
    public static async Task<IResult> ValidateAsync([FromForm] DeskForm form, HolderAccount? holder, HttpContext context, IQuerySession session, IMessageBus bus,
        TimeProvider clock) =>
        await DeskDoor.CheckAsync(DeskAction.ForgottenPin, form, holder, context, session, clock,
            DeskRules.NewPinProblem(await DeskDoor.CredentialAsync(holder, bus, context), clock.GetUtcNow()));

    [WolverinePost("/rao/holders/{id}/desk/forgotten-pin")]
    public static (IResult, IMartenOp, IMartenOp, OutgoingMessages) Post([NotBody] DeskForm form, [NotBody] HolderAccount holder, HttpContext context,
        IDataProtectionProvider protection, TimeProvider clock) => DeskDoor.Act(DeskAction.ForgottenPin, form, holder, context, protection, clock);
}

/// <summary>The desk form sent without one of its buttons (a script's submit, an assistive tool): nothing is done, and the operator is asked which action.</summary>
public static class DeskWithoutAction
{
    public static Task<HolderAccount?> LoadAsync(string id, HttpContext context, IQuerySession session) => RaoConsoleEndpoints.OfficeHolderAsync(session, context, id);

    [WolverinePost("/rao/holders/{id}/desk")]
    public static async Task<IResult> Post([FromForm] DeskForm form, [NotBody] HolderAccount? holder, HttpContext context, IQuerySession session)
    {
        if (holder is null) return Results.NotFound();
        var typed = form.Typed;
        var values = new Dictionary<string, string> { ["doc_type"] = typed.Type, ["doc_number"] = typed.Number, ["doc_expiry"] = typed.Expiry };
        return await RaoConsoleEndpoints.HolderPageAsync(holder, session, context,
            new DeskView(new Dictionary<string, string> { ["action"] = "rao.desk.error.action" }, values, null), StatusCodes.Status422UnprocessableEntity);
    }
}

/// <summary>What the three desk doors share: the check's problems drawn on the holder's page, and the decision as Wolverine's returns.</summary>
internal static class DeskDoor
{
    /// <summary>The holder's certificate as Certificates describes it (inline: the refusal is drawn on this page), null for none.</summary>
    public static async Task<SigningCredential?> CredentialAsync(HolderAccount? holder, IMessageBus bus, HttpContext context) => holder is null ? null
        : (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(holder.Id), context.RequestAborted)).Credential;

    public static async Task<IResult> CheckAsync(DeskAction action, DeskForm form, HolderAccount? holder, HttpContext context, IQuerySession session, TimeProvider clock,
        string? actionProblem = null)
    {
        if (holder is null) return Results.NotFound();
        var typed = form.Typed;
        var problems = DeskRules.Problems(typed, action, holder.Email.Length > 0, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        if (actionProblem is not null) problems.TryAdd("action", actionProblem);
        if (problems.Count == 0) return WolverineContinue.Result();
        var values = new Dictionary<string, string> { ["doc_type"] = typed.Type, ["doc_number"] = typed.Number, ["doc_expiry"] = typed.Expiry };
        return await RaoConsoleEndpoints.HolderPageAsync(holder, session, context, new DeskView(problems, values, null), StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>
    /// The decision: forget the earlier link of its kind, store its documents, send its messages; then back to the holder's
    /// page with the notice (post, redirect, get: reloading it shows the page again, it never repeats the action).
    /// </summary>
    public static (IResult, IMartenOp, IMartenOp, OutgoingMessages) Act(DeskAction action, DeskForm form, HolderAccount holder, HttpContext context,
        IDataProtectionProvider protection, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var decision = DeskRules.Decide(action, form.Typed, holder.Id, holder.Language ?? Strings.Language, context.HolderId(), context.Office(), now,
            (kind, expiresAt) => AccountLinks.New(protection, holder.Id, kind, expiresAt), () => AccountLinks.NewNotMe(protection, holder.Id, now));
        var forget = decision.ReplacesLink is { } kind ? AccountLinks.Replacing(holder.Id, kind) : MartenOps.Nothing();
        var messages = new OutgoingMessages();
        messages.AddRange(decision.Messages);
        return (Results.Redirect($"/rao/holders/{holder.Id}?done={action.Name()}#desk-title"), forget, MartenOps.StoreObjects([.. decision.Documents]), messages);
    }
}
