using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Certificates.Custody;
using MySign.Certificates.Pin;
using MySign.Certificates.Portal;
using MySign.Kernel.Web;
using MySign.Kernel.Security;
using Wolverine;
using Wolverine.Http;

namespace MySign.Certificates.Emergency;

public sealed record EmergencyView(string Step, string UserId, string? ErrorKey);

/// <summary>
/// Emergency suspension: anyone with the holder's User ID and emergency code suspends the certificate at once (CRL and
/// OCSP with the next answer), no PIN, no OTP — the door for a lost phone or a stolen session. Reactivation still takes
/// PIN + OTP. The code has 76 bits (ADR 0010), so nothing is counted per User ID: strangers' guesses can never close a
/// holder's door. What is limited is each caller: five codes a minute per address (counted in PostgreSQL, across
/// nodes), a malformed code refused before any slow hash, and one slow hash at a time per node, so no address, and no
/// crowd of them, can burn more than one core. Answers never tell whether a User ID exists, and every well-formed code
/// costs one slow hash whether it does or not.
/// </summary>
public static class EmergencyEndpoints
{
    [WolverineGet("/emergency"), AllowAnonymous]
    public static IResult Form() => View(new EmergencyView("form", "", null));

    [WolverinePost("/emergency"), AllowAnonymous, EnableRateLimiting(RateLimits.Emergency)]
    public static async Task<IResult> Suspend([FromForm(Name = "user_id")] string? userId, [FromForm] string? code, HttpContext context, IDocumentSession session,
        IMessageBus bus, TimeProvider clock, ILogger<EmergencyView> logger)
    {
        var typed = (userId ?? "").Trim();
        if (typed.Length == 0 || string.IsNullOrWhiteSpace(code))
            return View(new EmergencyView("form", typed, "emergency.error.required"), StatusCodes.Status422UnprocessableEntity);
        var id = typed.ToLowerInvariant();
        // The cheap checks first: a User ID or a code that cannot be one costs no slow hash.
        if (id.Length > 64 || !EmergencyCodes.WellFormed(code))
            return View(new EmergencyView("form", typed, "emergency.error.wrong"), StatusCodes.Status422UnprocessableEntity);
        var stored = await session.LoadAsync<EmergencyCode>(id, context.RequestAborted);
        if (!await EmergencyCodes.MatchesAsync(stored, code, context.RequestAborted))
        {
            logger.LogInformation("Emergency suspension refused: wrong code");
            return View(new EmergencyView("form", typed, "emergency.error.wrong"), StatusCodes.Status422UnprocessableEntity);
        }
        // A suspension: the CA records the hold first (the responder says so from now on); the status and its messages commit
        // with Wolverine's transaction.
        var outcome = await EmergencyStop.ApplyAsync(session, bus, id, "suspectedMisuse", clock, CertificateDoor.EmergencyCode, context.RequestAborted);
        if (outcome is EmergencyOutcome.Suspended or EmergencyOutcome.EndDateRemoved)
            logger.LogWarning("Emergency code used for {HolderId}: {Outcome}", id, outcome);
        return View(new EmergencyView(outcome switch
        {
            EmergencyOutcome.Suspended => "done", EmergencyOutcome.EndDateRemoved or EmergencyOutcome.AlreadySuspended => "held", _ => "already",
        }, typed, null));
    }

    /// <summary>A new emergency code (the PIN confirms it is the holder): the old one stops working, the new one is shown in the box until kept.</summary>
    [WolverinePost("/certificate/emergency-code")]
    public static async Task<IResult> Create([FromForm] string? pin, HttpContext context, IDocumentSession session, SignatureActivation sam, IDataProtectionProvider protection,
        TimeProvider clock)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        // A code suspends; a revoked or expired certificate has nothing left to suspend.
        if (certificate is null || certificate.StatusAt(clock.GetUtcNow()) is CertificateStatus.Revoked or CertificateStatus.Expired) return Results.NotFound();
        var result = await sam.CheckPinAsync(certificate, pin ?? "", Door.EmergencyCode, session, context.RequestAborted);
        if (!result.Ok) return await Box(context, session, result.Said, StatusCodes.Status422UnprocessableEntity);
        Issue(session, protection, certificate.Id, clock.GetUtcNow());
        await session.SaveChangesAsync(context.RequestAborted);
        return await Box(context, session);
    }

    /// <summary>The holder has written the code down: it is not shown again.</summary>
    [WolverinePost("/certificate/emergency-code/kept")]
    public static async Task<IResult> Kept(HttpContext context, IDocumentSession session)
    {
        session.Delete<EmergencyCodeReveal>(context.HolderId());
        await session.SaveChangesAsync(context.RequestAborted);
        return await Box(context, session);
    }

    /// <summary>A new code for <paramref name="holder"/> (replacing any earlier one), sealed for the box to show.</summary>
    public static void Issue(IDocumentSession session, IDataProtectionProvider protection, string holder, DateTimeOffset now)
    {
        var (stored, code) = EmergencyCodes.New(holder, now);
        session.Store(stored);
        session.Store(new EmergencyCodeReveal { Id = holder, Sealed = protection.Seal(EmergencyCodes.RevealProtector, code), ExpiresAt = now.AddDays(1) });
    }

    /// <summary>The box again (htmx swaps it in; without JavaScript it is the page).</summary>
    private static async Task<IResult> Box(HttpContext context, IQuerySession session, string? errorKey = null, int status = StatusCodes.Status200OK)
    {
        var holder = context.HolderId();
        var certificate = await session.LoadAsync<HolderCertificate>(holder, context.RequestAborted);
        var code = await session.LoadAsync<EmergencyCode>(holder, context.RequestAborted);
        var reveal = await session.LoadAsync<EmergencyCodeReveal>(holder, context.RequestAborted);
        var attempts = await session.LoadAsync<PinAttempts>(holder, context.RequestAborted);
        context.Items[SuspensionBox.ErrorKey] = errorKey;
        return new HtmlView(typeof(EmergencyEndpoints).Assembly, "Portal/SuspensionBox", SuspensionBox.View(context, certificate, attempts, code is not null, reveal), "suspension.box.title")
            { StatusCode = status };
    }

    private static IResult View(EmergencyView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(EmergencyEndpoints).Assembly, "Emergency/Emergency", view, "emergency.title") { StatusCode = status, Partial = false };
}
