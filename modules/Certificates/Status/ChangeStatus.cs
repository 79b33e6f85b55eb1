using MySign.Kernel.Validation;
using System.Security.Cryptography.X509Certificates;
using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.TrustServices.Contracts;
using MySign.Certificates.Custody;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;

namespace MySign.Certificates.Status;

public enum StatusAction { Suspend, Reactivate, Revoke }

/// <summary>The suspend / reactivate / revoke form, bound by Wolverine.</summary>
public sealed class StatusForm
{
    public string? Reason { get; set; }
    public string? Until { get; set; }
    public string? Understood { get; set; }
    public string? Pin { get; set; }
}

/// <summary>A status change waiting for its OTP. Id goes in the form; only its holder may confirm it.</summary>
public sealed class StatusChangeRequest : Kernel.Documents.IHolderOwned
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public Guid CertificateId { get; set; }
    public StatusAction Action { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset? Until { get; set; }
    public Guid ChallengeId { get; set; }
    /// <summary>Confirmed with a passkey rather than a code.</summary>
    public bool ByPasskey { get; set; }
    /// <summary>How the OTP reaches the holder (OtpIssued.Factor) and where an SMS went: a wrong code's answer words itself the same.</summary>
    public string? Factor { get; set; }
    public string? Destination { get; set; }
    public bool Done { get; set; }
}

/// <summary>Reactivates a suspension at its end date (scheduled when the suspension is confirmed).</summary>
public sealed record ReactivateAtEnd(string HolderId, Guid CertificateId, DateTimeOffset Until);

public sealed record StatusView(string Action, string Step, string Reason, string Until, bool Confirmed, string? ErrorKey, string? Field,
    Guid? RequestId = null, string? Destination = null, IReadOnlyList<string>? Reasons = null, string? Passkey = null, string? Factor = null);

/// <summary>
/// Suspension and revocation: suspend (reason, optional end date, PIN, then OTP), reactivate (PIN, OTP) and
/// revoke (reason, PIN, explicit confirmation, OTP; permanent). Each change reaches the CRL with its RFC 5280
/// reason: a suspension is certificateHold, removed again on reactivation.
/// </summary>
public static class ChangeStatusEndpoints
{
    public static readonly string[] RevocationReasons = ["keyCompromise", "affiliationChanged", "cessationOfOperation", "unspecified"];
    public static readonly string[] SuspensionReasons = ["lostDevice", "suspectedMisuse", "temporaryAbsence", "other"];

    [WolverineGet("/certificate/{action}")]
    public static async Task<IResult> Form(string action, HttpContext context, IQuerySession session, TimeProvider clock)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        if (certificate is null || ParseAction(action) is not { } parsed || !Allowed(parsed, certificate, clock.GetUtcNow())) return Results.NotFound();
        return View(Empty(parsed));
    }

    [WolverinePost("/certificate/{action}")]
    public static async Task<IResult> Submit(string action, [FromForm] StatusForm form, HttpContext context, IDocumentSession session, SignatureActivation sam, IMessageBus bus, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var certificate = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        if (certificate is null || ParseAction(action) is not { } parsed || !Allowed(parsed, certificate, now)) return Results.NotFound();
        var reason = form.Reason ?? "";
        var untilText = form.Until ?? "";
        var typed = Empty(parsed) with { Reason = reason, Until = untilText };

        DateTimeOffset? until = null;
        if (parsed != StatusAction.Reactivate && !(parsed == StatusAction.Revoke ? RevocationReasons : SuspensionReasons).Contains(reason))
            return View(typed with { ErrorKey = "status.error.reason", Field = "reason" }, StatusCodes.Status422UnprocessableEntity);
        if (parsed == StatusAction.Suspend && untilText.Length > 0)
        {
            if (TypedDate.Parse(untilText, 2000) is not { } day || day <= DateOnly.FromDateTime(now.UtcDateTime) || day.ToDateTime(TimeOnly.MinValue) > certificate.ExpiresAt.UtcDateTime)
                return View(typed with { ErrorKey = "status.error.until", Field = "until" }, StatusCodes.Status422UnprocessableEntity);
            until = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        if (parsed == StatusAction.Revoke && form.Understood != "yes")
            return View(typed with { ErrorKey = "status.error.confirm", Field = "understood" }, StatusCodes.Status422UnprocessableEntity);
        var pin = await sam.CheckPinAsync(certificate, form.Pin ?? "", Door.StatusChange, session, context.RequestAborted);
        if (!pin.Ok) return View(typed with { ErrorKey = pin.Said, Field = "pin" }, StatusCodes.Status422UnprocessableEntity);

        var id = Guid.CreateVersion7(now);
        var issued = await bus.SendOtpAsync(certificate.Id, Purpose(parsed), id.ToString(), context.RequestAborted);
        if (issued.Throttled) return View(typed with { ErrorKey = issued.Wait }, StatusCodes.Status429TooManyRequests);
        session.Store(new StatusChangeRequest
        {
            Id = id, HolderId = certificate.Id, CertificateId = certificate.CertificateId, Action = parsed, Reason = reason, Until = until,
            ChallengeId = issued.ChallengeId, ByPasskey = issued.Passkey is not null, Factor = issued.Factor, Destination = issued.Destination,
        });
        return View(typed with { Step = "otp", RequestId = id, Destination = issued.Destination, Passkey = issued.Passkey, Factor = issued.Factor });
    }

    [WolverinePost("/certificate/status/{id}")]
    public static async Task<IResult> Confirm(Guid id, [FromForm] string? code, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        if (await PendingAsync(id, context, session, now) is not ({ } request, { } certificate)) return await OverAsync(id, context, session);
        var verified = await bus.CheckOtpAsync(request.ChallengeId, request.HolderId, Purpose(request.Action), id.ToString(), code, context.RequestAborted);
        var view = CodeStep(request);
        if (!verified.IsValid) return View(view with { ErrorKey = verified.Refusal, Field = "code" }, StatusCodes.Status422UnprocessableEntity);

        request.Done = true;
        session.Store(request);
        await Apply(session, bus, certificate, request.Action, request.Reason, request.Until, now, CertificateDoor.Portal);
        if (request.Action == StatusAction.Suspend && request.Until is { } until)
            await bus.ScheduleAsync(new ReactivateAtEnd(certificate.Id, certificate.CertificateId, until), until);
        return View(view with { Step = "done", Confirmed = true });
    }

    /// <summary>"Send new OTP" on the code step: a new code for the same request (the 30 s wait and the hourly cap are Otp's).</summary>
    [WolverinePost("/certificate/status/{id}/resend")]
    public static async Task<IResult> Resend(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        if (await PendingAsync(id, context, session, clock.GetUtcNow()) is not ({ } request, _)) return await OverAsync(id, context, session);
        var issued = await bus.SendOtpAsync(request.HolderId, Purpose(request.Action), id.ToString(), context.RequestAborted);
        if (!issued.Throttled)
        {
            (request.ChallengeId, request.ByPasskey, request.Factor, request.Destination) = (issued.ChallengeId, issued.Passkey is not null, issued.Factor, issued.Destination);
            // Only while the request still waits: a resend answered after its confirmation must not open it again (a stored copy
            // of the request read before would, and a reactivation so revived could undo a later emergency without the PIN).
            session.Patch<StatusChangeRequest>(r => r.Id == request.Id && !r.Done).Set(r => r.ChallengeId, request.ChallengeId).Set(r => r.ByPasskey, request.ByPasskey)
                .Set(r => r.Factor, request.Factor).Set(r => r.Destination, request.Destination);
        }
        // The wait belongs to the code field: a screen reader reads it out with the field that is waiting for the code.
        return issued.Throttled ? View(CodeStep(request) with { ErrorKey = issued.Wait, Field = "code" }, StatusCodes.Status429TooManyRequests) : View(CodeStep(request));
    }

    /// <summary>The change itself, shared with the other doors (emergency code, "this wasn't me", the scheduled reactivation): status, the CA's CRL entry, events.</summary>
    public static async Task Apply(IDocumentSession session, IMessageBus bus, HolderCertificate certificate, StatusAction action, string reason, DateTimeOffset? until,
        DateTimeOffset now, CertificateDoor door)
    {
        await CertificateLock.HoldAsync(session, certificate, sameStatus: true, CancellationToken.None);
        // The hold a reactivation ends, as the CA recorded it (the suspension's own time): a late release never takes off a later one.
        var holdRecordedAt = certificate.StatusChangedAt;
        var (status, operation, change) = action switch
        {
            StatusAction.Suspend => (CertificateStatus.Suspended, "suspended", CertificateChange.Suspended),
            StatusAction.Revoke => (CertificateStatus.Revoked, "revoked", CertificateChange.Revoked),
            _ => (CertificateStatus.Active, "reactivated", CertificateChange.Reactivated),
        };
        certificate.Status = status;
        certificate.StatusReason = action == StatusAction.Reactivate ? null : reason;
        certificate.SuspendedUntil = action == StatusAction.Suspend ? until : null;
        certificate.StatusChangedAt = now;
        // Only the status's own facts are written (a PIN change confirmed meanwhile keeps its key).
        session.Patch<HolderCertificate>(certificate.Id).Set(c => c.Status, certificate.Status).Set(c => c.StatusReason, certificate.StatusReason)
            .Set(c => c.SuspendedUntil, certificate.SuspendedUntil).Set(c => c.StatusChangedAt, certificate.StatusChangedAt);
        // A suspension ends every unspent SAD with it: a grant made before a suspension for misuse must not sign again after
        // the reactivation (while suspended, the signature activation module refuses every SAD anyway).
        if (action != StatusAction.Reactivate) session.DeleteWhere<CscAuthorization>(g => g.HolderId == certificate.Id);
        if (action == StatusAction.Reactivate)
            // After this commit, through the outbox: until the CA takes the hold off, its responder says "on hold" (fails closed).
            await bus.PublishAsync(new ReleaseHold(certificate.SerialNumber, certificate.CertificateId, holdRecordedAt));
        else
            // Before this commit, inline: the CA's responder answers "revoked" from the very next request (docs/adr/0020). Should
            // this commit then fail, the certificate is on hold while the holder's page still says active — never the reverse.
            await bus.InvokeAsync<RevocationRecorded>(new RecordRevocation(certificate.SerialNumber, certificate.CertificateId,
                action == StatusAction.Suspend ? X509RevocationReason.CertificateHold : Enum.Parse<X509RevocationReason>(reason, true), now));
        session.Insert(CertificateOperation.Of(certificate.Id, operation, now, CertificateOperation.DoorKey(door), action == StatusAction.Reactivate ? null : reason));
        await bus.PublishAsync(new CertificateStatusChanged(certificate.Id, certificate.CertificateId, certificate.Status.ToString().ToLowerInvariant(), now));
        await bus.PublishAsync(new HolderCertificateChanged(certificate.Id, certificate.CertificateId, certificate.UniqueIdentifier, change, door, now));
    }

    /// <summary>The holder's own request still waiting for its code, with the certificate it was decided on; null answers 404.</summary>
    private static async Task<(StatusChangeRequest Request, HolderCertificate Certificate)?> PendingAsync(Guid id, HttpContext context, IDocumentSession session,
        DateTimeOffset now)
    {
        var request = await Kernel.Documents.HolderOwned.LoadOwnAsync<StatusChangeRequest>(session, id, context);
        if (request is null || request.Done) return null;
        var certificate = await session.LoadAsync<HolderCertificate>(request.HolderId, context.RequestAborted);
        return certificate is null || certificate.CertificateId != request.CertificateId || !Allowed(request.Action, certificate, now) ? null : (request, certificate);
    }

    /// <summary>
    /// The holder's own change that no longer waits for its code (confirmed in another tab, ended by an emergency, or the
    /// certificate changed meanwhile) says so, as a 409 htmx swaps into the box; anyone else's id, or none, is a 404.
    /// </summary>
    private static async Task<IResult> OverAsync(Guid id, HttpContext context, IQuerySession session) =>
        await Kernel.Documents.HolderOwned.LoadOwnAsync<StatusChangeRequest>(session, id, context) is { } request
            ? View(Empty(request.Action) with { Step = "over", ErrorKey = "status.error.over" }, StatusCodes.Status409Conflict)
            : Results.NotFound();

    private static StatusView CodeStep(StatusChangeRequest request) => Empty(request.Action) with
    {
        Step = "otp", RequestId = request.Id, Passkey = request.ByPasskey ? request.ChallengeId.ToString() : null, Factor = request.Factor,
        Destination = request.Destination,
    };

    private static bool Allowed(StatusAction action, HolderCertificate certificate, DateTimeOffset now) => (action, certificate.StatusAt(now)) switch
    {
        (StatusAction.Suspend, CertificateStatus.Active) => true,
        (StatusAction.Reactivate, CertificateStatus.Suspended) => now < certificate.ExpiresAt,
        (StatusAction.Revoke, CertificateStatus.Active or CertificateStatus.Suspended) => true,
        _ => false,
    };

    private static StatusAction? ParseAction(string action) => action switch
    {
        "suspend" => StatusAction.Suspend, "reactivate" => StatusAction.Reactivate, "revoke" => StatusAction.Revoke, _ => null,
    };

    private static string Purpose(StatusAction action) => "certificate." + action.ToString().ToLowerInvariant();

    /// <summary>The OTP purposes this feature asks for (each has its words in the SMS: otp.purpose.*).</summary>
    public static IEnumerable<string> Purposes => Enum.GetValues<StatusAction>().Select(Purpose);

    private static StatusView Empty(StatusAction action) => new(action.ToString().ToLowerInvariant(), "form", "", "", false, null, null,
        Reasons: action == StatusAction.Revoke ? RevocationReasons : action == StatusAction.Suspend ? SuspensionReasons : []);

    private static IResult View(StatusView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(ChangeStatusEndpoints).Assembly, "Status/ChangeStatus", view, "status.title") { StatusCode = status };
}

public static class ReactivateAtEndHandler
{
    /// <summary>Only if the same certificate is still suspended until that same date (a later change wins).</summary>
    public static async Task Handle(ReactivateAtEnd message, IDocumentSession session, IMessageBus bus, TimeProvider clock, CancellationToken cancellation)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(message.HolderId, cancellation);
        if (certificate is null || certificate.CertificateId != message.CertificateId || certificate.Status != CertificateStatus.Suspended || certificate.SuspendedUntil != message.Until) return;
        await ChangeStatusEndpoints.Apply(session, bus, certificate, StatusAction.Reactivate, "", null, clock.GetUtcNow(), CertificateDoor.AutomaticEnd);
    }
}
