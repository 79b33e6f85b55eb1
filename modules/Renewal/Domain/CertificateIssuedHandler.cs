using Marten;
using MySign.Certificates.Contracts;

namespace MySign.Renewal.Domain;

public static class CertificateIssuedHandler
{
    public static void Handle(CertificateIssued issued, IDocumentSession session) =>
        session.Store(new RenewableCertificate
        {
            Id = issued.HolderId, CertificateId = issued.CertificateId,
            UniqueIdentifier = issued.UniqueIdentifier, ExpiresAt = issued.NotAfter,
        });
}
