using System.Security.Cryptography.X509Certificates;
using Marten;
using MySign.TrustServices.Contracts;
using MySign.TrustServices.Crl;
using MySign.TrustServices.Domain;
using MySign.TrustServices.Validation;
using Wolverine;

namespace MySign.TrustServices.Authority;

/// <summary>What the modules that issue and sign ask of the CA, its TSA and its responder (docs/adr/0020).</summary>
public static class CaRequestsHandler
{
    public static async Task<CaChain> Handle(GetCaChain _, CertificateAuthority authority, CancellationToken cancellation)
    {
        var (root, issuing) = await authority.GetAsync(cancellation);
        return new CaChain(root.RawData, issuing.RawData);
    }

    /// <summary>Signs the holder's certificate and records its serial in the same breath: the responder knows what the CA made.</summary>
    public static async Task<HolderCertificateSigned> Handle(SignHolderCertificate request, IDocumentSession session, CertificateAuthority authority, CancellationToken cancellation)
    {
        var (_, issuing) = await authority.GetAsync(cancellation);
        var signer = await authority.IssuingSignerAsync(cancellation);
        // Inside the CA's validity: a backdated certificate (the demo's) starts with the CA, so no validator finds a holder
        // certificate older than its issuer.
        var from = Max(request.ValidFrom.AddMinutes(-1), new DateTimeOffset(issuing.NotBefore.ToUniversalTime(), TimeSpan.Zero));
        var until = Min(request.NotAfter, new DateTimeOffset(issuing.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        var identity = new HolderIdentity(request.GivenName, request.Surname, request.FiscalCode.ToUpperInvariant(), request.UniqueIdentifier);
        var serial = CertificateFactory.Serial();
        var key = PublicKey.CreateFromSubjectPublicKeyInfo(request.SubjectPublicKeyInfo, out _);
        using var certificate = CertificateFactory.IssueHolder(issuing, signer, identity, key, from, until, serial, authority.Locations);
        var serialNumber = Convert.ToHexString(serial);
        session.Store(new IssuedCertificate
        {
            Id = serialNumber, CertificateId = request.CertificateId, HolderId = request.HolderId,
            NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
        });
        return new HolderCertificateSigned(certificate.RawData, serialNumber);
    }

    /// <summary>On the CRL from now on (<see cref="RevocationRules"/>); the CRL itself is rebuilt through the outbox.</summary>
    public static async Task<RevocationRecorded> Handle(RecordRevocation request, IDocumentSession session, IMessageBus bus, CancellationToken cancellation)
    {
        var entry = await RecordAsync(session, bus, request.SerialNumber, request.CertificateId, request.Reason, request.At, cancellation);
        return new RevocationRecorded(entry.Id, entry.Reason, entry.RevokedAt);
    }

    public static Task Handle(RecordSupersession request, IDocumentSession session, IMessageBus bus, CancellationToken cancellation) =>
        RecordAsync(session, bus, request.SerialNumber, request.CertificateId, X509RevocationReason.Superseded, request.At, cancellation);

    private static async Task<RevocationEntry> RecordAsync(IDocumentSession session, IMessageBus bus, string serial, Guid certificateId, X509RevocationReason reason,
        DateTimeOffset at, CancellationToken cancellation)
    {
        var existing = await session.LoadAsync<RevocationEntry>(serial, cancellation);
        if (RevocationRules.Record(existing, serial, certificateId, reason, at) is not { } entry) return existing!;
        session.Store(entry);
        await bus.PublishAsync(new PublishCrl());
        return entry;
    }

    /// <summary>Only the hold the reactivation ended goes (<see cref="RevocationRules.Releases"/>).</summary>
    public static async Task Handle(ReleaseHold request, IDocumentSession session, IMessageBus bus, CancellationToken cancellation)
    {
        var entry = await session.LoadAsync<RevocationEntry>(request.SerialNumber, cancellation);
        if (!RevocationRules.Releases(entry, request.HoldRecordedAt)) return;
        session.Delete(entry!);
        await bus.PublishAsync(new PublishCrl());
    }

    public static async Task<TimeStampGranted> Handle(GetTimeStamp request, TimeStampAuthority tsa, CancellationToken cancellation) =>
        new(await tsa.TokenForAsync(request.Sha256, cancellation));

    public static Task<ValidationMaterial> Handle(GetValidationMaterial request, ValidationData validation, CancellationToken cancellation) =>
        validation.ForAsync(X509CertificateLoader.LoadCertificate(request.Signer), cancellation);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
