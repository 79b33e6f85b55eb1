using System.Security.Cryptography.X509Certificates;
using Marten;
using MySign.Kernel.Data;
using Npgsql;
using MySign.TrustServices.Contracts;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;

namespace MySign.Certificates.Issuance;

/// <summary>
/// Issues holder certificates: the key made in the token by the signature activation module, the certificate signed by the
/// CA (TrustServices, asked inline: only the public key crosses), the IUT drawn here.
/// </summary>
public sealed class Issuer(Custody.SignatureActivation sam, NpgsqlDataSource database)
{
    public static readonly TimeSpan Validity = TimeSpan.FromDays(3 * 365);

    public async Task<HolderCertificate> IssueAsync(IssueCertificate request, IMessageBus bus, DateTimeOffset now, CancellationToken cancellation, string door = Custody.Door.Issue)
    {
        var requestedFrom = request.ValidFrom ?? now;
        // The key is made in the token and sealed under the PIN by the signature activation module; only its public half is here.
        var key = await sam.NewKeyAsync(request.HolderId, request.Pin, door, cancellation);
        var iut = request.UniqueIdentifier ?? await NewUniqueIdentifierAsync(now, cancellation);
        var certificateId = Guid.CreateVersion7(now);
        var signed = await bus.InvokeAsync<HolderCertificateSigned>(new SignHolderCertificate(request.HolderId, certificateId, request.GivenName, request.Surname,
            request.FiscalCode, iut, key.PublicKey.ExportSubjectPublicKeyInfo(), requestedFrom, request.NotAfter ?? requestedFrom + Validity), cancellation);
        using var certificate = X509CertificateLoader.LoadCertificate(signed.Der);
        var from = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        return new HolderCertificate
        {
            Id = request.HolderId, CertificateId = certificateId, UniqueIdentifier = iut, SerialNumber = signed.SerialNumber,
            GivenName = request.GivenName, Surname = request.Surname, FiscalCode = request.FiscalCode.ToUpperInvariant(),
            Kind = request.Automatic ? SignatureKind.Automatic : SignatureKind.Remote, Status = CertificateStatus.Active,
            ActivatedAt = requestedFrom > from ? requestedFrom : from, ExpiresAt = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            Der = signed.Der, Key = key.Key,
        };
    }

    public static readonly Weasel.Postgresql.Sequence IutNumbers = Sequences.Define(CertificatesModule.Schema, "iut_number");

    /// <summary>An IUT: "IUT" + year + ten digits drawn from a sequence (scrambled), new for every certificate.</summary>
    public async Task<string> NewUniqueIdentifierAsync(DateTimeOffset now, CancellationToken cancellation) =>
        $"IUT{now.Year}{Sequences.Scramble(await Sequences.NextAsync(database, CertificatesModule.Schema, "iut_number", cancellation), 10_000_000_000):D10}";
}

public static class IssueCertificateHandler
{
    public static Task<CertificateIssued> Handle(IssueCertificate request, IDocumentSession session, Issuer issuer, IMessageBus bus, TimeProvider clock, CancellationToken cancellation) =>
        Issue(request, session, issuer, bus, clock.GetUtcNow(), cancellation);

    /// <summary>
    /// Issues into the caller's session and outbox, so the handlers of this module that issue (first certificate, renewal,
    /// reissue) commit the new certificate together with their own changes, without messaging themselves.
    /// <paramref name="what"/> names the operation in the holder's list ("issued", "renewed", "rekeyed"); <paramref name="decidedOn"/>
    /// is the certificate the caller checked before replacing it (read here when the caller checked none).
    /// </summary>
    public static async Task<CertificateIssued> Issue(IssueCertificate request, IDocumentSession session, Issuer issuer, IMessageBus bus, DateTimeOffset now, CancellationToken cancellation,
        string what = "issued", HolderCertificate? decidedOn = null, Guid? renewedFor = null)
    {
        var previous = decidedOn ?? await session.LoadAsync<HolderCertificate>(request.HolderId, cancellation);
        // The certificate replaced is held as it was decided on until the new one commits: a suspension or revocation confirmed
        // meanwhile ends this issue as a lost race (the caller's retry reads it again), never under a new active certificate.
        if (previous is not null) await CertificateLock.HoldAsync(session, previous, sameStatus: true, cancellation);
        // The key's audit names the door that made it: a renewal, the RAO desk's new PIN, or an issuance.
        var door = what switch { "renewed" => Custody.Door.Renewal, "rekeyed" => Custody.Door.RaoNewPin, _ => Custody.Door.Issue };
        var issued = await issuer.IssueAsync(request, bus, now, cancellation, door);
        issued.RenewedFor = renewedFor;
        // Only the RAO desk's new PIN replaces a suspended certificate (a renewal needs an active one, held above). A suspension
        // whose end date has passed (its reactivation not yet run) is over: the new certificate is active.
        if (previous is { Status: CertificateStatus.Suspended } && (previous.SuspendedUntil is not { } end || end > now)) await KeepHoldAsync(issued, previous, bus, now);
        session.Store(issued);
        session.Insert(CertificateOperation.Of(issued.Id, what, now, detail: issued.UniqueIdentifier));
        if (previous is not null && previous.Status != CertificateStatus.Revoked)
        {
            // The old certificate is superseded: on the CRL for good (through the outbox, with this commit), so it cannot sign any more.
            await bus.PublishAsync(new RecordSupersession(previous.SerialNumber, previous.CertificateId, now));
        }
        var message = new CertificateIssued(issued.Id, issued.CertificateId, issued.UniqueIdentifier, issued.ActivatedAt, issued.ExpiresAt,
            issued.Status.ToString().ToLowerInvariant());
        await bus.PublishAsync(message);
        return message;
    }

    /// <summary>
    /// The suspension the holder chose (or their emergency code) outlives the key it was made on: the new certificate is
    /// suspended from its first moment with the same reason and end, and the CA holds its serial before this commits (as a
    /// suspension does, docs/adr/0020). The new PIN and an OTP reactivate it, as any suspension.
    /// </summary>
    private static async Task KeepHoldAsync(HolderCertificate issued, HolderCertificate previous, IMessageBus bus, DateTimeOffset now)
    {
        (issued.Status, issued.StatusReason, issued.SuspendedUntil, issued.StatusChangedAt) = (CertificateStatus.Suspended, previous.StatusReason, previous.SuspendedUntil, now);
        await bus.InvokeAsync<RevocationRecorded>(new RecordRevocation(issued.SerialNumber, issued.CertificateId, X509RevocationReason.CertificateHold, now));
        if (previous.SuspendedUntil is { } until) await bus.ScheduleAsync(new Status.ReactivateAtEnd(issued.Id, issued.CertificateId, until), until);
    }
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
