using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using MySign.Certificates.Domain;
using MySign.Certificates.Pin;
using MySign.Certificates.Portal;
using MySign.Certificates.Status;
using MySign.Kernel.Security;
using MySign.Kernel.Web;
using Htmx;
using Wolverine;
using Wolverine.Http;

namespace MySign.Certificates.Emergency;

public sealed record EmergencyView(string Step, string UserId, string? ErrorKey);

/// <summary>
/// Emergency suspension: anyone with the holder's User ID and emergency code suspends the certificate at once (CRL and
/// OCSP with the next answer), no PIN, no OTP — the door for a lost phone or a stolen session. Reactivation still takes
/// PIN + OTP. Five wrong codes for a User ID close this door for that User ID until the next UTC day; the holder can
/// still suspend from the portal. Answers never tell whether a User ID exists.
/// </summary>
public static class EmergencyEndpoints
{
    [WolverineGet("/emergency"), AllowAnonymous]
    public static IResult Form() => View(new EmergencyView("form", "", null));

    [WolverinePost("/emergency"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Suspend([FromForm(Name = "user_id")] string? userId, [FromForm] string? code, HttpContext context, IDocumentStore store, IDocumentSession session,
        IMessageBus bus, TimeProvider clock, ILogger<EmergencyView> logger)
    {
        var typed = (userId ?? "").Trim();
        if (typed.Length == 0 || string.IsNullOrWhiteSpace(code))
            return View(new EmergencyView("form", typed, "emergency.error.required"), StatusCodes.Status422UnprocessableEntity);
        var now = clock.GetUtcNow();
        var id = typed.ToLowerInvariant();
        if (id.Length > 64) return View(new EmergencyView("form", typed, "emergency.error.wrong"), StatusCodes.Status422UnprocessableEntity);

        // An attempt is counted before the code is checked; past five today, the code is not even looked at.
        if (!await ReserveAsync(store, id, now, context.RequestAborted))
            return View(new EmergencyView("form", typed, "emergency.error.locked"), StatusCodes.Status429TooManyRequests);
        var stored = await session.LoadAsync<EmergencyCode>(id, context.RequestAborted);
        if (!EmergencyCodes.Matches(stored, code))
        {
            logger.LogInformation("Emergency suspension refused: wrong code");
            return View(new EmergencyView("form", typed, "emergency.error.wrong"), StatusCodes.Status422UnprocessableEntity);
        }
        session.Delete<EmergencyAttempts>(AttemptsId(id, now));
        var certificate = await session.LoadAsync<HolderCertificate>(id, context.RequestAborted);
        if (certificate is null || certificate.StatusAt(now) != CertificateStatus.Active) return View(new EmergencyView("already", typed, null));
        // Saved with the CRL and status messages by Wolverine's transaction: the CRL is rebuilt after the suspension commits.
        await ChangeStatusEndpoints.Apply(session, bus, certificate, StatusAction.Suspend, "suspectedMisuse", null, now, "emergency");
        logger.LogWarning("Certificate of {HolderId} suspended with the emergency code", id);
        return View(new EmergencyView("done", typed, null));
    }

    private static string AttemptsId(string id, DateTimeOffset now) => $"{id}:{now.UtcDateTime:yyyy-MM-dd}";

    /// <summary>Counts one attempt for today, atomically; false once five were made.</summary>
    private static async Task<bool> ReserveAsync(IDocumentStore store, string id, DateTimeOffset now, CancellationToken cancellation)
    {
        for (var round = 0; ; round++)
        {
            await using var session = store.LightweightSession();
            var attempts = await session.LoadAsync<EmergencyAttempts>(AttemptsId(id, now), cancellation) ?? new EmergencyAttempts { Id = AttemptsId(id, now) };
            if (attempts.Failures >= EmergencyCodes.MaxFailuresPerDay) return false;
            attempts.Failures++;
            session.Store(attempts);
            try { await session.SaveChangesAsync(cancellation); return true; }
            catch (Exception e) when (e is JasperFx.ConcurrencyException or JasperFx.DocumentAlreadyExistsException && round < 50)
            {
                await Task.Delay(Random.Shared.Next(1, 5), cancellation);
            }
        }
    }

    /// <summary>A new emergency code (the PIN confirms it is the holder): the old one stops working, the new one is shown in the box until kept.</summary>
    [WolverinePost("/certificate/emergency-code")]
    public static async Task<IResult> Create([FromForm] string? pin, HttpContext context, IDocumentSession session, PinCheck pins, IDataProtectionProvider protection,
        TimeProvider clock)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        // A code suspends; a revoked or expired certificate has nothing left to suspend.
        if (certificate is null || certificate.StatusAt(clock.GetUtcNow()) is CertificateStatus.Revoked or CertificateStatus.Expired) return Results.NotFound();
        var (result, _) = await pins.OpenAsync(certificate, pin ?? "", context.RequestAborted);
        if (result != PinResult.Ok) return await Box(context, session, PinRefusal.For(result, certificate), StatusCodes.Status422UnprocessableEntity);
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
        context.Items[SuspensionBox.ErrorKey] = errorKey;
        return new HtmlView(typeof(EmergencyEndpoints).Assembly, "Portal/SuspensionBox", SuspensionBox.View(context, certificate, code is not null, reveal), "suspension.box.title")
            { StatusCode = status };
    }

    private static IResult View(EmergencyView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(EmergencyEndpoints).Assembly, "Emergency/Emergency", view, "emergency.title") { StatusCode = status, Partial = false };
}
