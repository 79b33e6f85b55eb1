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
/// not the holder's active one any more (renewed, suspended, revoked meanwhile) is refused before anything is tried.
/// </summary>
public static class SigningDoorsHandler
{
    public static async Task<SigningCredentialFound> Handle(GetSigningCredential request, IQuerySession session, CancellationToken cancellation)
    {
        var batch = session.CreateBatchQuery();
        var certificate = batch.Load<HolderCertificate>(request.HolderId);
        var attempts = batch.Load<PinAttempts>(request.HolderId);
        await batch.Execute(cancellation);
        return new(await certificate is { } found ? Describe(found, await attempts) : null);
    }

    public static SigningCredential Describe(HolderCertificate certificate, PinAttempts? attempts) =>
        new(certificate.Id, certificate.CertificateId, certificate.Der, certificate.SerialNumber, certificate.GivenName, certificate.Surname,
            certificate.Kind == SignatureKind.Automatic, certificate.Status.ToString().ToLowerInvariant(), certificate.ExpiresAt,
            PinAttempts.LeftFor(certificate, attempts));

    public static async Task<SignaturesAuthorized> Handle(AuthorizeSignatures request, IDocumentSession session, IMessageBus bus, SignatureActivation sam,
        TimeProvider clock, CancellationToken cancellation)
    {
        var certificate = await ActiveAsync(session, request.HolderId, request.CredentialId, clock, cancellation);
        if (certificate is null) return new(null, null, default, Inactive);
        var door = request.Door == AuthorizationDoor.OAuthConsent ? Door.OAuthConsent : Door.CscAuthorize;
        return await sam.AuthorizeAsync(certificate, new PinAndOtp(request.Pin, request.Factor, OtpFirst: true), door, request.Signatures, request.Hashes,
            request.ExpiresAt, bus, session, cancellation);
    }

    public static async Task<SignedWithPin> Handle(SignWithPin request, IDocumentSession session, IMessageBus bus, SignatureActivation sam, TimeProvider clock,
        CancellationToken cancellation)
    {
        var certificate = await ActiveAsync(session, request.HolderId, request.CredentialId, clock, cancellation);
        return certificate is null
            ? new(null, Inactive)
            : await sam.SignAsync(certificate, new PinAndOtp(request.Pin, request.Factor, OtpFirst: false), request.Hashes, bus, session, cancellation);
    }

    public static Task<SadSignatures> Handle(SignHashesWithSad request, SadActivation sad, TimeProvider clock, CancellationToken cancellation) =>
        sad.SignHashesAsync(request.HolderId, request.CredentialId, request.Sad, request.Hashes, clock.GetUtcNow(), cancellation);

    public static Task<SadSignatures> Handle(SignDocumentsWithSad request, SadActivation sad, TimeProvider clock, CancellationToken cancellation) =>
        sad.SignDocumentsAsync(request.HolderId, request.CredentialId, request.Sad, request.Authorized, request.Method, request.Digests, clock.GetUtcNow(),
            cancellation);

    public static Task<SadExtended> Handle(ExtendSad request, IDocumentStore store, SadActivation sad, TimeProvider clock, CancellationToken cancellation) =>
        sad.ExtendAsync(store, request.HolderId, request.CredentialId, request.Sad, request.Lifetime, clock.GetUtcNow(), cancellation);

    public static void Handle(EndSadGrant request, IDocumentSession session) => session.Delete<CscAuthorization>(request.GrantId);

    /// <summary>A password change or reset ends the holder's API access: every unspent SAD (RemoteSigning ends the tokens).</summary>
    public static void Handle(HolderCredentialsChanged changed, IDocumentSession session) =>
        session.DeleteWhere<CscAuthorization>(a => a.HolderId == changed.HolderId);

    private static readonly ActivationRefused Inactive = new("credential", "");

    private static async Task<HolderCertificate?> ActiveAsync(IDocumentSession session, string holder, Guid credential, TimeProvider clock,
        CancellationToken cancellation) =>
        await session.LoadAsync<HolderCertificate>(holder, cancellation) is { } certificate && certificate.CertificateId == credential
            && certificate.StatusAt(clock.GetUtcNow()) == CertificateStatus.Active ? certificate : null;
}
