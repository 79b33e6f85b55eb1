using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;

namespace MySign.Certificates.Issuance;

public static class ReissueAfterForgottenPinHandler
{
    /// <summary>
    /// A new key and certificate for the same person, ending when the old one ends; the old one is superseded on the CRL and a
    /// suspension carries over (IssueCertificate does both). Refused for a certificate revoked or expired since the desk's check.
    /// </summary>
    public static async Task<CertificateReissued> Handle(ReissueAfterForgottenPin request, IDocumentSession session, Issuer issuer, IMessageBus bus, TimeProvider clock, CancellationToken cancellation)
    {
        var old = await session.LoadAsync<HolderCertificate>(request.HolderId, cancellation);
        var now = clock.GetUtcNow();
        if (old is null || old.StatusAt(now) is CertificateStatus.Revoked or CertificateStatus.Expired)
            return new CertificateReissued(null, null, Refusal: "newpin.error.certificate_ended");
        var issued = await IssueCertificateHandler.Issue(new IssueCertificate(request.HolderId, old.GivenName, old.Surname, old.FiscalCode, request.NewPin,
            old.Kind == SignatureKind.Automatic, NotAfter: old.ExpiresAt), session, issuer, bus, now, cancellation, "rekeyed", decidedOn: old);
        var suspended = issued.Status == "suspended";
        await bus.PublishAsync(new HolderCertificateChanged(request.HolderId, issued.CertificateId, issued.UniqueIdentifier,
            suspended ? CertificateChange.RekeyedSuspended : CertificateChange.Rekeyed, CertificateDoor.RaoDesk, now));
        return new CertificateReissued(issued.UniqueIdentifier, issued.NotAfter, suspended);
    }
}
