using Marten;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Contracts;
using Wolverine;
using Wolverine.Http;

namespace MySign.RemoteSigning.Csc;

/// <summary>
/// A CSC call, read before its method runs (Load): who calls (the bearer token), the body, and for a call about one
/// credential that credential, the caller's own; or the CSC error that ends the call (<see cref="Refusal"/>, answered by
/// Validate). One shape for every method, so the token, scope, body and credential checks are written once.
/// </summary>
public sealed class CscCall<T> where T : class
{
    // Caller, Body and (for a call about one credential) Credential are set on every call that is not refused; Validate
    // ends a refused call before any Post reads them.
    public CscApi.CscCaller Caller { get; private init; } = null!;
    public T Body { get; private init; } = null!;
    /// <summary>The credential the call names, the caller's own (none for calls about the caller, such as credentials/list).</summary>
    public SigningCredential Credential { get; private init; } = null!;
    /// <summary>The canonical SHA-256 hashes the call binds or signs, once the rules accepted them.</summary>
    public List<string>? Hashes { get; private init; }
    public IResult? Refusal { get; private init; }

    public static CscCall<T> Refused(IResult refusal) => new() { Refusal = refusal };

    public static CscCall<T> Of(CscApi.CscCaller caller, T body, SigningCredential? credential = null) => new() { Caller = caller, Body = body, Credential = credential! };

    /// <summary>The call after the method's rules: refused with their problem, or carrying the hashes they accepted.</summary>
    public CscCall<T> Checked(CscProblem? problem, List<string>? hashes = null) =>
        Refusal is not null ? this
        : problem is not null ? Refused(CscCalls.Refuse(problem))
        : new() { Caller = Caller, Body = Body, Credential = Credential, Hashes = hashes };

    /// <summary>Validate's answer: the refusal, or go on.</summary>
    public IResult Verdict() => Refusal ?? WolverineContinue.Result();
}

/// <summary>How every CSC method reads its call (see <see cref="CscCall{T}"/>).</summary>
internal static class CscCalls
{
    /// <summary>A call about the caller: a valid token and a JSON body (an empty one reads as <paramref name="empty"/>, when given).</summary>
    public static async Task<CscCall<T>> CallerAsync<T>(HttpContext context, IQuerySession session, TimeProvider clock, T? empty = null) where T : class
    {
        if (await CscApi.CallerAsync(context, session, clock) is not { } caller) return CscCall<T>.Refused(CscApi.InvalidToken());
        var (body, error) = await CscApi.BodyAsync<T>(context, allowEmpty: empty is not null);
        return error is not null ? CscCall<T>.Refused(error) : CscCall<T>.Of(caller, body ?? empty!);
    }

    /// <summary>
    /// A call about one credential: a valid token (of scope service for the service methods), a JSON body, and a
    /// credentialID that is the caller's own; another holder's reads exactly like one that does not exist.
    /// </summary>
    public static async Task<CscCall<T>> CredentialAsync<T>(HttpContext context, IQuerySession session, IMessageBus bus, TimeProvider clock,
        Func<T, string?> credential, bool serviceOnly = false) where T : class
    {
        if (await CscApi.CallerAsync(context, session, clock) is not { } caller) return CscCall<T>.Refused(CscApi.InvalidToken());
        if (CscRules.Scope(caller.Scope, serviceOnly) is { } scope) return CscCall<T>.Refused(Refuse(scope));
        var (body, error) = await CscApi.BodyAsync<T>(context);
        if (error is not null) return CscCall<T>.Refused(error);
        if (CscRules.CredentialId(credential(body!), out var id) is { } unnamed) return CscCall<T>.Refused(Refuse(unnamed));
        var certificate = (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(caller.HolderId), context.RequestAborted)).Credential;
        return CscRules.Owned(certificate, id, caller.CredentialId) is { } notOwned ? CscCall<T>.Refused(Refuse(notOwned)) : CscCall<T>.Of(caller, body!, certificate);
    }

    /// <summary>The same, read through a query session of its own (the signing methods take no Wolverine session: nothing of theirs is written here; the signature activation module writes the SAD).</summary>
    public static async Task<CscCall<T>> CredentialAsync<T>(HttpContext context, IDocumentStore store, IMessageBus bus, TimeProvider clock,
        Func<T, string?> credential, bool serviceOnly = false) where T : class
    {
        await using var query = store.QuerySession();
        return await CredentialAsync(context, query, bus, clock, credential, serviceOnly);
    }

    /// <summary>A problem the rules found, as the CSC error answer (a 403 names the scope the method needs).</summary>
    public static IResult Refuse(CscProblem problem) =>
        CscApi.Error(problem.Error, problem.Description, problem.Status, problem.Status == StatusCodes.Status403Forbidden ? CscApi.ServiceScopeChallenge : null);
}
