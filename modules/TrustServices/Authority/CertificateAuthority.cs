using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Marten;
using Microsoft.Extensions.Hosting;
using MySign.Custody;

namespace MySign.TrustServices.Authority;

/// <summary>
/// A CA certificate this deployment uses, and where its private key is: <see cref="KeyLabel"/> names it in the online token
/// (the issuing CA, OCSP, TSA); the root has none here — its key is in the root's own token, used only by the ceremony.
/// </summary>
public sealed class AuthorityKey
{
    public string Id { get; set; } = "";
    public byte[] CertificateDer { get; set; } = [];
    public string? KeyLabel { get; set; }
    /// <summary>Before keys lived in the HSM: the key under Data Protection. Read once by ca-import, which then removes it.</summary>
    public string? ProtectedKey { get; set; }

    public const string Root = "root", Issuing = "issuing";
}

/// <summary>A service's certificate (OCSP responder, TSA) and its key in the token, for BouncyCastle's generators.</summary>
public sealed record ServiceKey(X509Certificate2 Certificate, Org.BouncyCastle.Crypto.ISignatureFactory Signer);

/// <summary>
/// "MySign Qualified Electronic Signature CA": a root and an issuing CA (docs/adr/0015). The root is offline: its key is in a
/// token of its own that only `ca-ceremony` opens, which signs the issuing CA's request and the root's CRL and leaves here
/// only certificates. The issuing CA's, the OCSP responder's and the TSA's keys are in the online token; everything they sign
/// is signed there through <see cref="ICaKeys"/>. In Development the ceremony runs at the first start (and an upgraded
/// database's keys are imported), as the first-start generation did before; elsewhere a missing CA is an operator's step.
/// </summary>
public sealed class CertificateAuthority(IDocumentStore store, ICaKeys keys, CaCeremony ceremony, IHostEnvironment environment,
    Kernel.Web.PortalUrl portal)
{
    public const string Name = Contracts.CertificationAuthority.Name;
    public const string Organisation = Contracts.CertificationAuthority.Organisation;
    public const string Unit = Contracts.CertificationAuthority.Unit;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Loaded? _loaded;

    private sealed record Loaded(X509Certificate2 Root, X509Certificate2 Issuing, X509SignatureGenerator Signer);

    /// <summary>The addresses written into the certificates this CA makes, all under the portal's public URL (Portal:BaseUrl).</summary>
    public CertificateFactory.Locations Locations => CertificateFactory.Locations.Of(portal);

    /// <summary>The root's and the issuing CA's certificates (no private key in either).</summary>
    public async Task<(X509Certificate2 Root, X509Certificate2 Issuing)> GetAsync(CancellationToken cancellation = default)
    {
        var loaded = await LoadAsync(cancellation);
        return (loaded.Root, loaded.Issuing);
    }

    /// <summary>The issuing CA's key in the token, for holder and service certificates and the issuing CRL.</summary>
    public async Task<X509SignatureGenerator> IssuingSignerAsync(CancellationToken cancellation = default) => (await LoadAsync(cancellation)).Signer;

    private async Task<Loaded> LoadAsync(CancellationToken cancellation)
    {
        if (_loaded is { } ready) return ready;
        await _gate.WaitAsync(cancellation);
        try
        {
            return _loaded ??= await FromDatabaseAsync(cancellation);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Loaded> FromDatabaseAsync(CancellationToken cancellation)
    {
        for (var attempt = 0; ; attempt++)
        {
            AuthorityKey? root, issuing;
            await using (var query = store.QuerySession())
            {
                root = await query.LoadAsync<AuthorityKey>(AuthorityKey.Root, cancellation);
                issuing = await query.LoadAsync<AuthorityKey>(AuthorityKey.Issuing, cancellation);
            }
            if (root is not null && issuing is { KeyLabel: { } label })
            {
                var issuingCertificate = X509CertificateLoader.LoadCertificate(issuing.CertificateDer);
                var key = await keys.FindAsync(label, cancellation)
                          ?? throw new InvalidOperationException($"The issuing CA's key {label} is not in the token ({keys.Describe()}): the HSM is not the one this deployment's CA was made in.");
                if (!key.Matches(issuingCertificate)) throw new InvalidOperationException($"The token's key {label} is not the issuing CA certificate's.");
                return new Loaded(X509CertificateLoader.LoadCertificate(root.CertificateDer), issuingCertificate, key.SignatureGenerator());
            }
            if (attempt > 0 || !environment.IsDevelopment())
                throw new InvalidOperationException(root?.ProtectedKey is not null || issuing?.ProtectedKey is not null
                    ? "The CA's keys are still kept under Data Protection: run `dotnet MySign.Web.dll ca-import` once to move them into the HSM (docs/adr/0015)."
                    : "This deployment has no CA yet: run the ceremony, `dotnet MySign.Web.dll ca-ceremony`, with the root's token (Hsm__Root__*) attached (docs/adr/0015).");
            // Development: what an operator does once, done at the first start (or the first start after the upgrade to the HSM).
            if (root?.ProtectedKey is not null || issuing?.ProtectedKey is not null) await ceremony.ImportAsync(TimeProvider.System.GetUtcNow(), cancellation);
            else await ceremony.RunAsync(TimeProvider.System.GetUtcNow(), cancellation);
        }
    }

    private readonly Dictionary<string, ServiceKey> _signers = [];

    /// <summary>
    /// A service's signing certificate (OCSP responder, time-stamp authority) with its key in the token; made at first use
    /// and again a month before it ends, each time with a new key. Nodes that race both write a valid signer; the last one
    /// stays in the database, and every certificate made is known by its serial.
    /// </summary>
    public async Task<ServiceKey> GetSignerAsync(ServiceSigner service, DateTimeOffset now, CancellationToken cancellation = default)
    {
        var renewAfter = now.UtcDateTime.AddDays(30);
        lock (_signers)
            if (_signers.TryGetValue(service.Id, out var cached) && cached.Certificate.NotAfter.ToUniversalTime() > renewAfter) return cached;
        var (_, issuing, signer) = await LoadAsync(cancellation);
        await _gate.WaitAsync(cancellation);
        try
        {
            await using var session = store.LightweightSession();
            var stored = await session.LoadAsync<AuthorityKey>(service.Id, cancellation);
            var certificate = stored is null ? null : X509CertificateLoader.LoadCertificate(stored.CertificateDer);
            var key = stored?.KeyLabel is { } label ? await keys.FindAsync(label, cancellation) : null;
            if (certificate is null || key is null || certificate.NotAfter.ToUniversalTime() <= renewAfter)
            {
                key = await keys.GenerateAsync($"{service.Id}-{now.UtcDateTime:yyyyMMddHHmmss}-{RandomNumberGenerator.GetHexString(4, true)}", EcCurve.P256, cancellation);
                using var publicKey = key.AsECDsa();
                certificate = CertificateFactory.CreateServiceSigner(issuing, signer, new PublicKey(publicKey), now, service, Locations);
                session.Store(new AuthorityKey { Id = service.Id, CertificateDer = certificate.RawData, KeyLabel = key.Label });
            }
            // Every service certificate ever made is known by its serial, so the OCSP responder answers "good" for it (a
            // time-stamp outlives the TSA certificate that signed it).
            session.Store(new ServiceCertificate { Id = certificate.SerialNumber, Service = service.Id, NotAfter = certificate.NotAfter.ToUniversalTime() });
            await session.SaveChangesAsync(cancellation);
            var made = new ServiceKey(certificate, key.SignatureFactory(HashAlgorithmName.SHA256));
            lock (_signers) _signers[service.Id] = made;
            return made;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>A certificate the issuing CA made for one of its services (OCSP, TSA); Id is its serial number in hex.</summary>
public sealed class ServiceCertificate
{
    public string Id { get; set; } = "";
    public string Service { get; set; } = "";
    public DateTime NotAfter { get; set; }
}

/// <summary>Ready when the CA's root and issuing certificates can be loaded and the issuing CA's key is in the token.</summary>
public sealed class CaReadiness(CertificateAuthority authority) : Kernel.Operations.IReadinessCheck
{
    public string Name => "ca";

    public async Task<bool> IsReadyAsync(CancellationToken cancellation)
    {
        var (root, issuing) = await authority.GetAsync(cancellation);
        return root.RawData.Length > 0 && issuing.RawData.Length > 0;
    }
}
