using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;

namespace MySign.Certificates.Pin;

/// <summary>
/// The RAO's unblock after an identity check: a blocked PIN gets five tries again (the key and the PIN are the same). The
/// rule is this module's whatever the desk checked: a PIN still working keeps its count, and a revoked or expired
/// certificate's PIN is left as it is.
/// </summary>
public static class UnblockPinHandler
{
    public static async Task Handle(UnblockPin command, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(command.HolderId, cancellation);
        if (certificate is null || certificate.StatusAt(clock.GetUtcNow()) is not (CertificateStatus.Active or CertificateStatus.Suspended)) return;
        if (PinAttempts.LeftFor(certificate, await session.LoadAsync<PinAttempts>(command.HolderId, cancellation)) > 0) return;
        session.Store(PinAttempts.Fresh(certificate));
    }
}
