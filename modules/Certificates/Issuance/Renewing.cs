using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Certificates.Custody;
using Wolverine;

namespace MySign.Certificates.Issuance;

/// <summary>What the Renewal module asks of this one: the current PIN checked, then the certificate re-issued.</summary>
public static class RenewalRequestsHandler
{
    public static async Task<SignaturePinChecked> Handle(CheckSignaturePin request, IDocumentSession session, SignatureActivation sam, TimeProvider clock,
        CancellationToken cancellation)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(request.HolderId, cancellation);
        if (certificate is null || certificate.StatusAt(clock.GetUtcNow()) != CertificateStatus.Active)
            return new SignaturePinChecked(false, "renewal.error.not_active");
        // The session commits a key moved into the token (an old holder's) with this step.
        var result = await sam.CheckPinAsync(certificate, request.Pin, Door.Renewal, session, cancellation);
        return result.Ok ? new SignaturePinChecked(true, null) : new SignaturePinChecked(false, result.Said);
    }

    public static async Task<RenewalOutcome> Handle(RenewCertificate request, IDocumentSession session, Issuer issuer, IMessageBus bus, TimeProvider clock,
        CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var current = await session.LoadAsync<HolderCertificate>(request.HolderId, cancellation);
        // This renewal has its certificate already (the renewal's own save was lost): the same one again, not a second.
        if (current is not null && current.RenewedFor == request.RenewalId)
            return new RenewalOutcome(new CertificateIssued(current.Id, current.CertificateId, current.UniqueIdentifier, current.ActivatedAt, current.ExpiresAt,
                current.Status.ToString().ToLowerInvariant()));
        // Only an active certificate is renewed: one suspended or revoked since the renewal began gets nothing, and says so.
        if (current is null || current.StatusAt(now) != CertificateStatus.Active) return new RenewalOutcome(null, "renewal.error.not_active");
        return new RenewalOutcome(await IssueCertificateHandler.Issue(
            new IssueCertificate(current.Id, current.GivenName, current.Surname, current.FiscalCode, request.NewPin), session, issuer, bus, now, cancellation, "renewed",
            decidedOn: current, renewedFor: request.RenewalId));
    }
}
