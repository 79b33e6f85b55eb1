using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Certificates.Status;
using Wolverine;

namespace MySign.Certificates.Emergency;

/// <summary>
/// Another module's "suspend it now" (today only the holder's "this wasn't me" asks): the same change as the portal's
/// suspension; a certificate already suspended until a date stays suspended without end.
/// </summary>
public static class SuspendCertificateNowHandler
{
    public static async Task Handle(SuspendCertificateNow command, IDocumentSession session, IMessageBus bus, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var certificate = await session.LoadAsync<HolderCertificate>(command.HolderId, cancellation);
        var reason = ChangeStatusEndpoints.SuspensionReasons.Contains(command.Reason) ? command.Reason : "suspectedMisuse";
        if (certificate is null || await ChangeStatusEndpoints.KeepSuspendedAsync(session, bus, certificate, reason, now, command.Door, cancellation)
            || certificate.StatusAt(now) != CertificateStatus.Active) return;
        await ChangeStatusEndpoints.Apply(session, bus, certificate, StatusAction.Suspend, reason, null, now, command.Door);
    }
}
