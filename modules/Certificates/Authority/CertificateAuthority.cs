using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MySign.Certificates.Authority;

/// <summary>A CA certificate and its private key, the key only ever stored protected (Data Protection).</summary>
public sealed class AuthorityKey
{
    public string Id { get; set; } = "";
    public byte[] CertificateDer { get; set; } = [];
    public string ProtectedKey { get; set; } = "";
}

/// <summary>
/// "MySign Qualified Electronic Signature CA": a root and an issuing CA. Production loads them from
/// configuration (Certificates:Ca:RootPfx / IssuingPfx, base64 PKCS#12, and their passwords); otherwise they
/// are generated at first start and kept in PostgreSQL with the keys encrypted at rest. Nodes starting
/// together agree: the first insert wins and the others load it.
/// </summary>
public sealed class CertificateAuthority(IDocumentStore store, IDataProtectionProvider protection, IConfiguration configuration, IHostEnvironment environment,
    Kernel.Web.PortalUrl portal)
{
    public const string Name = "MySign Qualified Electronic Signature CA";
    public const string Organisation = "MySign S.p.A.";
    public const string Unit = "Qualified Trust Service Provider";
    private readonly IDataProtector _protector = protection.CreateProtector("MySign.Certificates.CA");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (X509Certificate2 Root, X509Certificate2 Issuing)? _loaded;

    /// <summary>The key that seals holder keys together with the PIN (Certificates:KeySecret; required in Production).</summary>
    public byte[] KeySecret { get; } = System.Text.Encoding.UTF8.GetBytes(configuration["Certificates:KeySecret"] is { Length: > 0 } secret ? secret
        : (!environment.IsDevelopment() ? throw new InvalidOperationException("Certificates:KeySecret must be configured in Production (and every environment but Development).") : "mysign-development-key-secret"));

    /// <summary>The addresses written into the certificates this CA makes, all under the portal's public URL (Portal:BaseUrl).</summary>
    public CertificateFactory.Locations Locations => new(portal.For("/crl/issuing.crl"), portal.For("/ocsp"), portal.For("/ca/issuing.cer"),
        portal.For("/pds/en"), portal.For("/pds/it"), portal.For("/crl/root.crl"), portal.For("/ca/root.cer"));

    public async Task<(X509Certificate2 Root, X509Certificate2 Issuing)> GetAsync(CancellationToken cancellation = default)
    {
        if (_loaded is { } ready) return ready;
        await _gate.WaitAsync(cancellation);
        try
        {
            return _loaded ??= FromConfiguration() ?? await FromDatabaseAsync(cancellation);
        }
        finally
        {
            _gate.Release();
        }
    }

    private readonly Dictionary<string, X509Certificate2> _signers = [];

    /// <summary>
    /// A service's signing certificate (OCSP responder, time-stamp authority), its key protected at rest like the
    /// CA's; made at first use and again a month before it ends. Nodes that race both write a valid signer; the last
    /// one stays.
    /// </summary>
    public async Task<X509Certificate2> GetSignerAsync(ServiceSigner service, DateTimeOffset now, CancellationToken cancellation = default)
    {
        var renewAfter = now.UtcDateTime.AddDays(30);
        lock (_signers)
            if (_signers.TryGetValue(service.Id, out var cached) && cached.NotAfter.ToUniversalTime() > renewAfter) return cached;
        await _gate.WaitAsync(cancellation);
        try
        {
            await using var session = store.LightweightSession();
            var stored = await session.LoadAsync<AuthorityKey>(service.Id, cancellation);
            var signer = stored is null ? null : Open(stored);
            if (signer is null || signer.NotAfter.ToUniversalTime() <= renewAfter)
            {
                var (_, issuing) = _loaded ??= FromConfiguration() ?? await FromDatabaseAsync(cancellation);
                signer = CertificateFactory.CreateServiceSigner(issuing, now, service, Locations);
                session.Store(Seal(service.Id, signer));
            }
            // Every service certificate ever made is known by its serial, so the OCSP responder answers "good" for it (a
            // time-stamp outlives the TSA certificate that signed it).
            session.Store(new ServiceCertificate { Id = signer.SerialNumber, Service = service.Id, NotAfter = signer.NotAfter.ToUniversalTime() });
            await session.SaveChangesAsync(cancellation);
            lock (_signers) _signers[service.Id] = signer;
            return signer;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A signer's private key as PKCS#8, for the libraries that sign OCSP responses and time-stamps.</summary>
    public static byte[] PrivateKeyOf(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()!;
        return key.ExportPkcs8PrivateKey();
    }

    private (X509Certificate2, X509Certificate2)? FromConfiguration()
    {
        var root = configuration["Certificates:Ca:RootPfx"];
        var issuing = configuration["Certificates:Ca:IssuingPfx"];
        if (string.IsNullOrEmpty(root) || string.IsNullOrEmpty(issuing)) return null;
        return (X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(root), configuration["Certificates:Ca:RootPassword"]),
                X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(issuing), configuration["Certificates:Ca:IssuingPassword"], X509KeyStorageFlags.Exportable));
    }

    private async Task<(X509Certificate2, X509Certificate2)> FromDatabaseAsync(CancellationToken cancellation)
    {
        await using (var query = store.QuerySession())
        {
            var root = await query.LoadAsync<AuthorityKey>("root", cancellation);
            var issuing = await query.LoadAsync<AuthorityKey>("issuing", cancellation);
            if (root is not null && issuing is not null) return (Open(root), Open(issuing));
        }
        var (newRoot, newIssuing) = CertificateFactory.CreateAuthority(TimeProvider.System.GetUtcNow(), Locations);
        try
        {
            await using var session = store.LightweightSession();
            session.Insert(Seal("root", newRoot));
            session.Insert(Seal("issuing", newIssuing));
            await session.SaveChangesAsync(cancellation);
            return (newRoot, newIssuing);
        }
        catch (Exception e) when (e is JasperFx.DocumentAlreadyExistsException or JasperFx.ConcurrencyException)
        {
            return await FromDatabaseAsync(cancellation); // another node created them first
        }
    }

    private AuthorityKey Seal(string id, X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()!;
        return new AuthorityKey { Id = id, CertificateDer = certificate.RawData, ProtectedKey = Convert.ToBase64String(_protector.Protect(key.ExportPkcs8PrivateKey())) };
    }

    private X509Certificate2 Open(AuthorityKey stored)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(stored.CertificateDer);
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(_protector.Unprotect(Convert.FromBase64String(stored.ProtectedKey)), out _);
        return certificate.CopyWithPrivateKey(key);
    }
}

/// <summary>A certificate the issuing CA made for one of its services (OCSP, TSA); Id is its serial number in hex.</summary>
public sealed class ServiceCertificate
{
    public string Id { get; set; } = "";
    public string Service { get; set; } = "";
    public DateTime NotAfter { get; set; }
}

/// <summary>Ready when the CA's root and issuing certificates (with the issuing key) can be loaded.</summary>
public sealed class CaReadiness(CertificateAuthority authority) : Kernel.Operations.IReadinessCheck
{
    public string Name => "ca";

    public async Task<bool> IsReadyAsync(CancellationToken cancellation)
    {
        var (root, issuing) = await authority.GetAsync(cancellation);
        return root.RawData.Length > 0 && issuing.RawData.Length > 0;
    }
}
