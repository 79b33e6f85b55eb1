using Marten;
using Marten.Patching;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Certificates.Status;
using Wolverine;

namespace MySign.Certificates.Emergency;

/// <summary>What an emergency did: suspended now, took a suspension's end date away, found it already suspended without end, or found nothing in use.</summary>
public enum EmergencyOutcome { Suspended, EndDateRemoved, AlreadySuspended, NotInUse }

/// <summary>The emergency's change, one for both doors: the emergency code's page and "this wasn't me" (SuspendCertificateNow).</summary>
public static class EmergencyStop
{
    /// <summary>
    /// An active certificate is suspended now, as the portal's suspension does. One already suspended until a date stays
    /// suspended without end, so only the holder reactivates it: the reactivation set before the emergency would otherwise
    /// come on its date under a PIN the holder may no longer trust (ADR 0023). A revoked or expired one has nothing to stop.
    /// </summary>
    public static async Task<EmergencyOutcome> ApplyAsync(IDocumentSession session, IMessageBus bus, string holderId, string reason, TimeProvider clock,
        CertificateDoor door, CancellationToken cancellation)
    {
        // The certificate's row is taken before it is read: a change committing meanwhile (the reactivation at a suspension's
        // end date, the holder's own) is then read as done and decided on, where deciding on the earlier read lost the lock's
        // race and left the certificate active behind a "nothing was done" page. The time is read under the lock, after it.
        await CertificateLock.RowAsync(session, holderId, cancellation);
        return await DecideAsync(session, bus, await session.LoadAsync<HolderCertificate>(holderId, cancellation), reason, clock.GetUtcNow(), door, cancellation);
    }

    private static async Task<EmergencyOutcome> DecideAsync(IDocumentSession session, IMessageBus bus, HolderCertificate? certificate, string reason, DateTimeOffset now,
        CertificateDoor door, CancellationToken cancellation)
    {
        // A status change started before the emergency (a reactivation waiting for its code) is over: after an emergency only a
        // change started afterwards, with the PIN and an OTP, moves the certificate.
        if (certificate is not null) session.Patch<StatusChangeRequest>(r => r.HolderId == certificate.Id && !r.Done).Set(r => r.Done, true);
        switch (certificate?.StatusAt(now))
        {
            case CertificateStatus.Active:
                await ChangeStatusEndpoints.Apply(session, bus, certificate!, StatusAction.Suspend, reason, null, now, door);
                return EmergencyOutcome.Suspended;
            case CertificateStatus.Suspended when certificate!.SuspendedUntil is null:
                return EmergencyOutcome.AlreadySuspended;
            case CertificateStatus.Suspended:
                // The lock compares the end date too: a reactivation at that date read before this commits then loses its race.
                await CertificateLock.HoldAsync(session, certificate!, sameStatus: true, cancellation);
                session.Patch<HolderCertificate>(certificate!.Id).Set(c => c.SuspendedUntil, (DateTimeOffset?)null).Set(c => c.StatusReason, reason);
                session.Insert(CertificateOperation.Of(certificate.Id, "suspension_without_end", now, CertificateOperation.DoorKey(door), reason));
                await bus.PublishAsync(new HolderCertificateChanged(certificate.Id, certificate.CertificateId, certificate.UniqueIdentifier,
                    CertificateChange.SuspensionWithoutEnd, door, now));
                return EmergencyOutcome.EndDateRemoved;
            default:
                return EmergencyOutcome.NotInUse;
        }
    }
}

/// <summary>Another module's "suspend it now" (today only the holder's "this wasn't me" asks): the emergency's change.</summary>
public static class SuspendCertificateNowHandler
{
    public static async Task Handle(SuspendCertificateNow command, IDocumentSession session, IMessageBus bus, TimeProvider clock, CancellationToken cancellation)
    {
        var reason = ChangeStatusEndpoints.SuspensionReasons.Contains(command.Reason) ? command.Reason : "suspectedMisuse";
        await EmergencyStop.ApplyAsync(session, bus, command.HolderId, reason, clock, command.Door, cancellation);
    }
}
