using Marten;
using MySign.Accounts.Contracts;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using MySign.Certificates.Pin;
using Wolverine;

namespace MySign.Certificates.Custody;

/// <summary>
/// The signature activation module's doors for the modules that sign (docs/adr/0021): each names the holder's credential and
/// brings its activation; the key is opened here, in the token, and only signatures or a SAD go back. A credential that is
/// not the holder's active one any more (renewed, suspended, revoked or expired meanwhile) is refused before anything is
/// tried, and so is an authorisation that asks more than the credential allows; both refusals are audited like the others.
/// </summary>
public static class SigningDoorsHandler
{
    /// <summary>What one authorisation of a remote signature credential (SCAL2) may cover, and how long any SAD lives.</summary>
    public const int MaxSignatures = 1000, AutomaticMaxSignatures = 100_000;
    public static readonly TimeSpan SadLifetime = TimeSpan.FromMinutes(5), AutomaticSadLifetime = TimeSpan.FromHours(1);

    public static async Task<SigningCredentialFound> Handle(GetSigningCredential request, IQuerySession session, CancellationToken cancellation)
    {
        var batch = session.CreateBatchQuery();
        var certificate = batch.Load<HolderCertificate>(request.HolderId);
        var attempts = batch.Load<PinAttempts>(request.HolderId);
        await batch.Execute(cancellation);
        return new(await certificate is { } found ? Describe(found, await attempts) : null);
    }

    public static SigningCredential Describe(HolderCertificate certificate, PinAttempts? attempts)
    {
        var automatic = certificate.Kind == SignatureKind.Automatic;
        return new(certificate.Id, certificate.CertificateId, certificate.Der, certificate.SerialNumber, certificate.GivenName, certificate.Surname, automatic,
            certificate.Status.ToString().ToLowerInvariant(), certificate.ExpiresAt, PinAttempts.LeftFor(certificate, attempts), BindsHashes: !automatic,
            automatic ? AutomaticMaxSignatures : MaxSignatures, automatic ? AutomaticSadLifetime : SadLifetime);
    }

    public static Task<SignaturesAuthorized> Handle(AuthorizeSignatures request, IDocumentSession session, IMessageBus bus, SignatureActivation sam,
        ActivationAudit audit, TimeProvider clock, CancellationToken cancellation) => Once(async () =>
    {
        var door = request.Door == AuthorizationDoor.OAuthConsent ? Door.OAuthConsent : Door.CscAuthorize;
        var certificate = await ActiveAsync(session, request.HolderId, request.CredentialId, door, audit, clock, cancellation);
        if (certificate is null) return new(null, null, default, Inactive);
        if (Exceeds(certificate, request, clock.GetUtcNow()) is { } exceeds)
        {
            await audit.RecordAsync(new(request.HolderId, request.CredentialId, door, "PIN+OTP", request.Signatures, "refused: " + exceeds, null), clock.GetUtcNow(),
                cancellation);
            return new(null, null, default, new ActivationRefused("request", exceeds));
        }
        return await sam.AuthorizeAsync(certificate, new PinAndOtp(request.Pin, request.Factor, OtpFirst: true), door, request.Signatures, request.Hashes,
            request.ExpiresAt, bus, session, cancellation);
    });

    public static Task<SignedWithPin> Handle(SignWithPin request, IDocumentSession session, IMessageBus bus, SignatureActivation sam, ActivationAudit audit,
        TimeProvider clock, CancellationToken cancellation) => Once(async () =>
        await ActiveAsync(session, request.HolderId, request.CredentialId, Door.SignDocument, audit, clock, cancellation) is { } certificate
            ? await sam.SignAsync(certificate, new PinAndOtp(request.Pin, request.Factor, OtpFirst: false), request.Hashes, bus, session, cancellation)
            : new SignedWithPin(null, Inactive));

    public static Task<SadSignatures> Handle(SignHashesWithSad request, IQuerySession session, SadActivation sad, ActivationAudit audit, TimeProvider clock,
        CancellationToken cancellation) => Once(async () =>
        await ActiveAsync(session, request.HolderId, request.CredentialId, Door.SignHash, audit, clock, cancellation) is null
            ? new SadSignatures(InactiveSad, [], [])
            : await sad.SignHashesAsync(request.HolderId, request.CredentialId, request.Sad, request.Hashes, clock.GetUtcNow(), cancellation));

    public static Task<SadSignatures> Handle(SignDocumentsWithSad request, IQuerySession session, SadActivation sad, ActivationAudit audit, TimeProvider clock,
        CancellationToken cancellation) => Once(async () =>
        await ActiveAsync(session, request.HolderId, request.CredentialId, Door.SignDoc, audit, clock, cancellation) is null
            ? new SadSignatures(InactiveSad, [], [])
            : await sad.SignDocumentsAsync(request.HolderId, request.CredentialId, request.Sad, request.Authorized, request.Method, request.Digests,
                clock.GetUtcNow(), cancellation));

    public static Task<SadExtended> Handle(ExtendSad request, IDocumentStore store, IQuerySession session, SadActivation sad, ActivationAudit audit,
        TimeProvider clock, CancellationToken cancellation) => Once(async () =>
        await ActiveAsync(session, request.HolderId, request.CredentialId, Door.Extend, audit, clock, cancellation) is not { } certificate
            ? new SadExtended(null, default, InactiveSad)
            : await sad.ExtendAsync(store, request.HolderId, request.CredentialId, request.Sad, Min(request.Lifetime, Describe(certificate, null).SadLifetime),
                clock.GetUtcNow(), cancellation));

    public static void Handle(EndSadGrant request, IDocumentSession session) => session.Delete<CscAuthorization>(request.GrantId);

    private static readonly ActivationRefused Inactive = new("credential", "");
    private const string InactiveSad = "The credential is not active";

    /// <summary>The holder's certificate when it is still the credential named and active now; otherwise null, and the refusal audited.</summary>
    private static async Task<HolderCertificate?> ActiveAsync(IQuerySession session, string holder, Guid credential, string door, ActivationAudit audit,
        TimeProvider clock, CancellationToken cancellation)
    {
        if (await session.LoadAsync<HolderCertificate>(holder, cancellation) is { } certificate && certificate.CertificateId == credential
            && certificate.StatusAt(clock.GetUtcNow()) == CertificateStatus.Active)
            return certificate;
        await audit.RecordAsync(new(holder, credential, door, "-", 0, "refused: credential not active", null), clock.GetUtcNow(), cancellation);
        return null;
    }

    /// <summary>What an authorisation asks beyond the credential's rule (<see cref="Describe"/>), in CSC's words; null when it is within it.</summary>
    private static string? Exceeds(HolderCertificate certificate, AuthorizeSignatures request, DateTimeOffset now)
    {
        var rule = Describe(certificate, null);
        if (request.Signatures < 1 || (rule.BindsHashes && request.Signatures > rule.MaxSignatures)) return $"numSignatures must be between 1 and {rule.MaxSignatures}";
        if (rule.BindsHashes && (request.Hashes is null || request.Hashes.Count != request.Signatures))
            return "This credential is SCAL2: a SAD is bound to the hashes it signs, one for each signature";
        return request.ExpiresAt > now + rule.SadLifetime ? $"A SAD of this credential lives at most {rule.SadLifetime.TotalMinutes:0} minutes" : null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// Runs an activation once. Wolverine retries an inline request on the host's transient-error policies (a database or
    /// network blip), which would spend the OTP or count the PIN again and answer the holder "wrong code" for a right one; a
    /// failure reaches the caller once instead, wrapped so no policy matches it (an outage still reads as one: the database
    /// error stays inside).
    /// </summary>
    private static async Task<T> Once<T>(Func<Task<T>> activation)
    {
        try { return await activation(); }
        catch (Exception e) when (e is not OperationCanceledException) { throw new ActivationFailedException(e); }
    }
}

/// <summary>A signature activation that failed for a reason of the system's (the database, the token), not the holder's.</summary>
public sealed class ActivationFailedException(Exception inner) : Exception("The signature activation failed: " + inner.Message, inner);

/// <summary>A password change or reset ends the holder's API access: every unspent SAD (RemoteSigning ends the tokens).</summary>
public static class SadGrantsOnCredentialsChangedHandler
{
    public static void Handle(HolderCredentialsChanged changed, IDocumentSession session) =>
        session.DeleteWhere<CscAuthorization>(a => a.HolderId == changed.HolderId);
}
