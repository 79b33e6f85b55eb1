using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;

namespace MySign.Certificates.Issuance;

public static class ReissueAfterForgottenPinHandler
{
    /// <summary>A new key and certificate for the same person, ending when the old one ends; the old one is superseded on the CRL (IssueCertificate does that).</summary>
    public static async Task<CertificateReissued> Handle(ReissueAfterForgottenPin request, IDocumentSession session, Issuer issuer, IMessageBus bus, TimeProvider clock, CancellationToken cancellation)
    {
        var old = await session.LoadAsync<HolderCertificate>(request.HolderId, cancellation)
                  ?? throw new InvalidOperationException("The holder has no certificate to reissue.");
        var now = clock.GetUtcNow();
        if (old.Status == CertificateStatus.Revoked || old.ExpiresAt <= now) throw new InvalidOperationException("Only a certificate still valid is reissued.");
        var issued = await IssueCertificateHandler.Issue(new IssueCertificate(request.HolderId, old.GivenName, old.Surname, old.FiscalCode, request.NewPin,
            old.Kind == SignatureKind.Automatic, NotAfter: old.ExpiresAt), session, issuer, bus, now, cancellation, "rekeyed", decidedOn: old);
        await bus.PublishAsync(new HolderCertificateChanged(request.HolderId, issued.CertificateId, issued.UniqueIdentifier, CertificateChange.Rekeyed, CertificateDoor.RaoDesk, now));
        return new CertificateReissued(issued.UniqueIdentifier, issued.NotAfter);
    }
}
