using Marten;
using MySign.Certificates.Contracts;

namespace MySign.Renewal.Domain;

/// <summary>
/// What Renewal knows of a holder's certificate comes only from Certificates' facts, each applied once and never
/// over a newer one (they may arrive late or twice: the durable inbox retries).
/// </summary>
public static class CertificateFactsHandler
{
    public static async Task Handle(CertificateIssued issued, IDocumentSession session, CancellationToken cancellation)
    {
        var known = await session.LoadAsync<RenewableCertificate>(issued.HolderId, cancellation);
        if (RenewableCertificate.Apply(known, issued) is { } next) session.Store(next);
    }

    public static async Task Handle(CertificateStatusChanged changed, IDocumentSession session, CancellationToken cancellation)
    {
        var known = await session.LoadAsync<RenewableCertificate>(changed.HolderId, cancellation);
        if (known?.Apply(changed) is { } next) session.Store(next);
    }
}
