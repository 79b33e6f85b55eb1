using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Certificates.Domain;
using MySign.Certificates.Custody;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using MySign.Otp.Contracts;
using Wolverine;
using Wolverine.Http;

namespace MySign.Certificates.Pin;

/// <summary>The Change PIN form, bound by Wolverine.</summary>
public sealed class PinChangeForm
{
    public string? Current { get; set; }
    public string? New { get; set; }
    public string? Confirm { get; set; }
}

public sealed record PinView(string Step, string? ErrorKey, string? Field, string? Destination, bool Changed, string? Passkey = null, string? Factor = null);

/// <summary>
/// Signature PIN: current PIN, new PIN, confirmation, then an OTP. The key is re-sealed under the new PIN
/// at once but kept aside; only the OTP swaps it in, so the old PIN works until then. No PIN is stored.
/// </summary>
public static class ChangePinEndpoints
{
    public const string Purpose = "pin.change";

    [WolverineGet("/pin")]
    public static IResult Form() => View(new PinView("form", null, null, null, false));

    [WolverinePost("/pin")]
    public static async Task<IResult> Submit([FromForm] PinChangeForm form, HttpContext context, IDocumentSession session, SignatureActivation sam, IMessageBus bus,
        TimeProvider clock)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        // A revoked or expired certificate's key signs nothing any more: there is no PIN left to change.
        if (certificate is null || certificate.StatusAt(clock.GetUtcNow()) is CertificateStatus.Revoked or CertificateStatus.Expired) return Results.NotFound();
        string current = form.Current ?? "", next = form.New ?? "";
        if (PinRules.Problem(next) is { } problem) return View(new PinView("form", problem, "new", null, false), StatusCodes.Status422UnprocessableEntity);
        if (next != (form.Confirm ?? "")) return View(new PinView("form", "pin.error.confirm", "confirm", null, false), StatusCodes.Status422UnprocessableEntity);
        if (next == current) return View(new PinView("form", "pin.error.same", "new", null, false), StatusCodes.Status422UnprocessableEntity);

        // The signature activation module opens the key with the current PIN and seals it under the new one.
        var (result, resealed) = await sam.ResealAsync(certificate, current, next, session, context.RequestAborted);
        if (resealed is null) return View(new PinView("form", result.Said, "current", null, false), StatusCodes.Status422UnprocessableEntity);

        var issued = await bus.SendOtpAsync(certificate.Id, Purpose, certificate.CertificateId.ToString(), context.RequestAborted);
        if (issued.Throttled) return View(new PinView("form", issued.Wait, null, null, false), StatusCodes.Status429TooManyRequests);
        certificate.PendingKey = resealed;
        return Awaiting(certificate, issued, session);
    }

    [WolverinePost("/pin/confirm")]
    public static async Task<IResult> Confirm([FromForm] string? code, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        if (certificate?.PendingKey is null || certificate.PendingChallengeId is not { } challenge) return View(new PinView("form", null, null, null, false));
        var verified = await bus.CheckOtpAsync(challenge, certificate.Id, Purpose, certificate.CertificateId.ToString(), code, context.RequestAborted);
        if (!verified.IsValid) return View(OtpStep(certificate, verified.Refusal, "code"), StatusCodes.Status422UnprocessableEntity);
        // The same certificate as the code was asked for (a renewal meanwhile made another), locked until this commits.
        await CertificateLock.HoldAsync(session, certificate, sameStatus: false, context.RequestAborted);
        session.Patch<HolderCertificate>(certificate.Id).Set(c => c.Key, certificate.PendingKey);
        Drop(certificate, session);
        // A new PIN: the wrong tries made against the old one tell nothing about it, so its count starts again.
        session.Store(PinAttempts.Fresh(certificate));
        session.Insert(CertificateOperation.Of(certificate.Id, "pin_changed", clock.GetUtcNow()));
        return View(new PinView("form", null, null, null, true));
    }

    /// <summary>"Send new OTP" on the PIN change's code step (30 s apart, as every OTP).</summary>
    [WolverinePost("/pin/resend")]
    public static async Task<IResult> Resend(HttpContext context, IDocumentSession session, IMessageBus bus)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        if (certificate?.PendingKey is null) return View(new PinView("form", null, null, null, false));
        var issued = await bus.SendOtpAsync(certificate.Id, Purpose, certificate.CertificateId.ToString(), context.RequestAborted);
        // The wait belongs to the code field: a screen reader reads it out with the field that is waiting for the code.
        return issued.Throttled ? View(OtpStep(certificate, issued.Wait, "code"), StatusCodes.Status429TooManyRequests) : Awaiting(certificate, issued, session);
    }

    /// <summary>Cancel: the new PIN is dropped, the old one stays.</summary>
    [WolverinePost("/pin/cancel")]
    public static async Task<IResult> Cancel(HttpContext context, IDocumentSession session)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        if (certificate?.PendingKey is not null) Drop(certificate, session);
        return View(new PinView("form", null, null, null, false));
    }

    /// <summary>The pending change waits for the OTP just sent, and its code step says where it went.</summary>
    private static IResult Awaiting(HolderCertificate certificate, OtpIssued issued, IDocumentSession session)
    {
        (certificate.PendingChallengeId, certificate.PendingDestination, certificate.PendingPasskey, certificate.PendingFactor) =
            (issued.ChallengeId, issued.Destination, issued.Passkey, issued.Factor);
        WritePending(certificate, session);
        return View(OtpStep(certificate));
    }

    /// <summary>The pending change is over (confirmed or cancelled): nothing of it is kept.</summary>
    private static void Drop(HolderCertificate certificate, IDocumentSession session)
    {
        (certificate.PendingKey, certificate.PendingChallengeId, certificate.PendingDestination, certificate.PendingPasskey, certificate.PendingFactor) =
            (null, null, null, null, null);
        WritePending(certificate, session);
    }

    /// <summary>
    /// Only the pending change is written (the key itself only by the confirmation, under the lock), and only to the certificate
    /// it was decided on: a suspension confirmed meanwhile keeps its status, a renewal meanwhile its new certificate.
    /// </summary>
    private static void WritePending(HolderCertificate certificate, IDocumentSession session) =>
        session.Patch<HolderCertificate>(c => c.Id == certificate.Id && c.CertificateId == certificate.CertificateId)
            .Set(c => c.PendingKey, certificate.PendingKey).Set(c => c.PendingChallengeId, certificate.PendingChallengeId)
            .Set(c => c.PendingDestination, certificate.PendingDestination).Set(c => c.PendingPasskey, certificate.PendingPasskey)
            .Set(c => c.PendingFactor, certificate.PendingFactor);

    private static PinView OtpStep(HolderCertificate certificate, string? error = null, string? field = null) =>
        new("otp", error, field, certificate.PendingDestination, false, certificate.PendingPasskey, certificate.PendingFactor);

    private static IResult View(PinView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(ChangePinEndpoints).Assembly, "Pin/ChangePin", view, "pin.title") { StatusCode = status };
}
