using System.Security.Cryptography.X509Certificates;
using Marten;
using MySign.Kernel.Data;
using Npgsql;
using MySign.Certificates.Authority;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;

namespace MySign.Certificates.Issuance;

/// <summary>Issues certificates and keeps the CRL current. Both need the CA, so both live here.</summary>
public sealed class Issuer(CertificateAuthority authority, Custody.SignatureActivation sam, NpgsqlDataSource database)
{
    public static readonly TimeSpan Validity = TimeSpan.FromDays(3 * 365);
    public static readonly TimeSpan CrlLifetime = TimeSpan.FromHours(24);

    public string CrlUrl => authority.Locations.Crl;

    public async Task<HolderCertificate> IssueAsync(IssueCertificate request, DateTimeOffset now, CancellationToken cancellation, string door = Custody.Door.Issue)
    {
        var (_, issuing) = await authority.GetAsync(cancellation);
        var signer = await authority.IssuingSignerAsync(cancellation);
        // A certificate lies inside its CA's validity: a backdated one (the demo's, two months from its end) starts with the
        // CA and keeps its end, so no validator finds a holder certificate older than its issuer.
        var requestedFrom = request.ValidFrom ?? now;
        var from = Max(requestedFrom.AddMinutes(-1), new DateTimeOffset(issuing.NotBefore.ToUniversalTime(), TimeSpan.Zero));
        var until = Min(request.NotAfter ?? requestedFrom + Validity, new DateTimeOffset(issuing.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        // The key is made in the token and sealed under the PIN by the signature activation module; only its public half is here.
        var key = await sam.NewKeyAsync(request.HolderId, request.Pin, door, cancellation);
        var iut = request.UniqueIdentifier ?? await NewUniqueIdentifierAsync(now, cancellation);
        var identity = new HolderIdentity(request.GivenName, request.Surname, request.FiscalCode.ToUpperInvariant(), iut);
        var serial = CertificateFactory.Serial();
        using var certificate = CertificateFactory.IssueHolder(issuing, signer, identity, key.PublicKey, from, until, serial, authority.Locations);
        return new HolderCertificate
        {
            Id = request.HolderId, CertificateId = Guid.CreateVersion7(now), UniqueIdentifier = identity.UniqueIdentifier,
            SerialNumber = Convert.ToHexString(serial), GivenName = identity.GivenName, Surname = identity.Surname, FiscalCode = identity.FiscalCode,
            Kind = request.Automatic ? SignatureKind.Automatic : SignatureKind.Remote, Status = CertificateStatus.Active,
            ActivatedAt = Max(requestedFrom, from), ExpiresAt = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero), Der = certificate.RawData,
            Key = key.Key,
        };
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public static readonly Weasel.Postgresql.Sequence IutNumbers = Sequences.Define(CertificatesModule.Schema, "iut_number");

    /// <summary>An IUT: "IUT" + year + ten digits drawn from a sequence (scrambled), new for every certificate.</summary>
    public async Task<string> NewUniqueIdentifierAsync(DateTimeOffset now, CancellationToken cancellation) =>
        $"IUT{now.Year}{Sequences.Scramble(await Sequences.NextAsync(database, CertificatesModule.Schema, "iut_number", cancellation), 10_000_000_000):D10}";

    /// <summary>
    /// The CRL as published: the issuing CA's, or a new one when none is or it is due within the hour; the root's as its last
    /// ceremony signed it (the root's key is offline: the portal never signs for it).
    /// </summary>
    public async Task<CrlDocument> CurrentCrlAsync(IDocumentStore store, string which, DateTimeOffset now, CancellationToken cancellation)
    {
        if (which == CrlDocument.Root) await authority.GetAsync(cancellation); // the ceremony made it with the CA
        await using var session = store.QuerySession();
        var crl = await session.LoadAsync<CrlDocument>(which, cancellation);
        if (which == CrlDocument.Root) return crl ?? throw new InvalidOperationException("The root's CRL is missing: run ca-ceremony.");
        return crl is null || crl.NextUpdate - now < TimeSpan.FromHours(1) ? await PublishCrlAsync(store, now, cancellation) : crl;
    }

    /// <summary>
    /// Rebuilds the issuing CA's CRL from the committed revocation entries, signed in the token. Concurrent rebuilds are safe:
    /// the CRL document is versioned, and a rebuild that lost the race reads the entries again and tries once more.
    /// </summary>
    public async Task<CrlDocument> PublishCrlAsync(IDocumentStore store, DateTimeOffset now, CancellationToken cancellation)
    {
        var (_, issuing) = await authority.GetAsync(cancellation);
        var signer = await authority.IssuingSignerAsync(cancellation);
        for (var round = 0; ; round++)
        {
            await using var session = store.LightweightSession();
            IReadOnlyList<RevocationEntry> entries = await session.Query<RevocationEntry>().ToListAsync(cancellation);
            var crl = await session.LoadAsync<CrlDocument>(CrlDocument.Issuing, cancellation) ?? new CrlDocument { Id = CrlDocument.Issuing };
            crl.Number++;
            crl.ThisUpdate = now;
            crl.NextUpdate = now + CrlLifetime;
            crl.Der = CertificateFactory.BuildCrl(issuing, signer, entries.Select(e => new CertificateFactory.CrlEntry(Convert.FromHexString(e.Id), e.RevokedAt, e.Reason)),
                crl.Number, now, crl.NextUpdate);
            session.Store(crl);
            try
            {
                await session.SaveChangesAsync(cancellation);
                return crl;
            }
            catch (JasperFx.ConcurrencyException) when (round < 20)
            {
            }
        }
    }
}

public static class IssueCertificateHandler
{
    public static Task<CertificateIssued> Handle(IssueCertificate request, IDocumentSession session, Issuer issuer, IMessageBus bus, TimeProvider clock, CancellationToken cancellation) =>
        Issue(request, session, issuer, bus, clock.GetUtcNow(), cancellation);

    /// <summary>
    /// Issues into the caller's session and outbox, so the handlers of this module that issue (first certificate, renewal,
    /// reissue) commit the new certificate together with their own changes, without messaging themselves.
    /// <paramref name="what"/> names the operation in the holder's list ("issued", "renewed", "rekeyed").
    /// </summary>
    public static async Task<CertificateIssued> Issue(IssueCertificate request, IDocumentSession session, Issuer issuer, IMessageBus bus, DateTimeOffset now, CancellationToken cancellation,
        string what = "issued")
    {
        var previous = await session.LoadAsync<HolderCertificate>(request.HolderId, cancellation);
        // The key's audit names the door that made it: a renewal, the RAO desk's new PIN, or an issuance.
        var door = what switch { "renewed" => Custody.Door.Renewal, "rekeyed" => Custody.Door.RaoNewPin, _ => Custody.Door.Issue };
        var issued = await issuer.IssueAsync(request, now, cancellation, door);
        session.Store(issued);
        session.Insert(CertificateOperation.Of(issued.Id, what, now, detail: issued.UniqueIdentifier));
        if (previous is not null && previous.Status != CertificateStatus.Revoked)
        {
            // The old certificate is superseded: on the CRL for good, so it cannot sign any more.
            session.Store(new RevocationEntry { Id = previous.SerialNumber, CertificateId = previous.CertificateId, RevokedAt = now, Reason = X509RevocationReason.Superseded });
            await bus.PublishAsync(new PublishCrl());
        }
        var message = new CertificateIssued(issued.Id, issued.CertificateId, issued.UniqueIdentifier, issued.ActivatedAt, issued.ExpiresAt);
        await bus.PublishAsync(message);
        return message;
    }
}

/// <summary>Rebuild and publish the CRL (sent after every status change, through the outbox, and when one is due).</summary>
public sealed record PublishCrl;

public static class PublishCrlHandler
{
    public static Task Handle(PublishCrl _, IDocumentStore store, Issuer issuer, TimeProvider clock, CancellationToken cancellation) =>
        issuer.PublishCrlAsync(store, clock.GetUtcNow(), cancellation);
}

/// <summary>What registration and activation (Accounts) ask of this module.</summary>
public static class RegistrationRequestsHandler
{
    public static async Task<IutAllocated> Handle(AllocateIut _, Issuer issuer, TimeProvider clock, CancellationToken cancellation) =>
        new(await issuer.NewUniqueIdentifierAsync(clock.GetUtcNow(), cancellation));

    public static PinRulesChecked Handle(CheckPinRules request) => new(Pin.PinRules.Problem(request.Pin));

    /// <summary>The first certificate, and with it the holder's emergency code (shown in the Suspension box until kept).</summary>
    public static async Task<FirstCertificateIssued> Handle(IssueFirstCertificate request, IMessageBus bus, IDocumentSession session, Issuer issuer,
        Microsoft.AspNetCore.DataProtection.IDataProtectionProvider protection, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var issued = await IssueCertificateHandler.Issue(
            new IssueCertificate(request.HolderId, request.GivenName, request.Surname, request.FiscalCode, request.Pin, UniqueIdentifier: request.Iut),
            session, issuer, bus, now, cancellation);
        Emergency.EmergencyEndpoints.Issue(session, protection, request.HolderId, now);
        return new FirstCertificateIssued(issued.UniqueIdentifier, issued.NotAfter);
    }
}
