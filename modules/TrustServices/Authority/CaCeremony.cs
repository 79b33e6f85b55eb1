using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MySign.TrustServices.Domain;
using MySign.TrustServices.Keys;
using MySign.Custody;

namespace MySign.TrustServices.Authority;

/// <summary>
/// The CA's key ceremony (EN 319 411-1): the root's key is made in a token of its own (<c>Hsm:Root:*</c>), which is attached
/// only for the ceremony; the issuing CA's key is made in the online token, which hands over a certificate request signed with
/// it; the root checks the request and signs it, and signs the root's CRL. Only certificates and that CRL are left in the
/// database. Run again (yearly: the root's CRL is good for <see cref="RootCrlLifetime"/>), it makes nothing new and signs the
/// next root CRL. <see cref="ImportAsync"/> is the one-time move of keys kept before the HSM into the tokens.
/// </summary>
public sealed class CaCeremony(IDocumentStore store, CaToken online, IConfiguration configuration, IHostEnvironment environment,
    Kernel.Web.PortalUrl portal, IDataProtectionProvider protection)
{
    public static readonly TimeSpan RootCrlLifetime = TimeSpan.FromDays(365);
    public const string RootKey = "root-ca", IssuingKey = "issuing-ca";

    public sealed record Report(X509Certificate2 Root, X509Certificate2 Issuing, CrlDocument RootCrl, IReadOnlyList<string> Done);

    public TokenSettings RootToken => HsmSettings.Root(configuration, environment);

    /// <summary>
    /// The ceremony with the root's token from <c>Hsm:Root:*</c>. <paramref name="renewRootCrl"/>: sign a new root CRL even when
    /// nothing else was missing (the operator's yearly run); a Development start only fills in what is missing.
    /// </summary>
    public async Task<Report> RunAsync(DateTimeOffset now, CancellationToken cancellation, bool renewRootCrl = false)
    {
        using var rootToken = CryptoToken.Open(RootToken);
        var prefix = await online.PrefixAsync(cancellation);
        return await online.ProvisionAsync(async () =>
        {
            var done = new List<string>();
            await using var session = store.LightweightSession();
            var rootStored = await session.LoadAsync<AuthorityKey>(AuthorityKey.Root, cancellation);
            var issuingStored = await session.LoadAsync<AuthorityKey>(AuthorityKey.Issuing, cancellation);
            if (rootStored?.ProtectedKey is not null || issuingStored?.ProtectedKey is not null)
                throw new InvalidOperationException("The CA's keys are still kept under Data Protection: run `ca-import` first.");
            // A key found without its certificate is one an interrupted ceremony made: it is used, not made twice.
            var rootKey = rootToken.FindKey(prefix + RootKey);
            X509Certificate2 root;
            if (rootStored is null)
            {
                rootKey ??= rootToken.GenerateKey(prefix + RootKey, EcCurve.P384);
                root = CertificateFactory.CreateRoot(PublicKeyOf(rootKey), rootKey.SignatureGenerator(), now);
                session.Store(new AuthorityKey { Id = AuthorityKey.Root, CertificateDer = root.RawData });
                done.Add("made the root's key in its token and its self-signed certificate");
            }
            else
            {
                root = X509CertificateLoader.LoadCertificate(rootStored.CertificateDer);
                if (rootKey is null || !rootKey.Matches(root))
                    throw new InvalidOperationException($"The root's key is not in {RootToken}: attach the root's own token.");
            }
            X509Certificate2 issuing;
            if (issuingStored is null)
            {
                var issuingKey = online.Token.FindKey(prefix + IssuingKey) ?? online.Token.GenerateKey(prefix + IssuingKey, EcCurve.P384);
                var request = CertificateFactory.IssuingRequest(PublicKeyOf(issuingKey), issuingKey.SignatureGenerator());
                issuing = CertificateFactory.SignIssuing(request, root, rootKey.SignatureGenerator(), now, CertificateFactory.Locations.Of(portal));
                session.Store(new AuthorityKey { Id = AuthorityKey.Issuing, CertificateDer = issuing.RawData, KeyLabel = issuingKey.Label });
                done.Add("made the issuing CA's key in the online token and signed its request with the root");
            }
            else issuing = X509CertificateLoader.LoadCertificate(issuingStored.CertificateDer);
            var crl = await session.LoadAsync<CrlDocument>(CrlDocument.Root, cancellation);
            if (crl is null || renewRootCrl || done.Count > 0)
            {
                crl = RootCrl(crl, root, rootKey, now);
                session.Store(crl);
                done.Add($"signed the root's CRL number {crl.Number}, next update {crl.NextUpdate:yyyy-MM-dd}");
            }
            await session.SaveChangesAsync(cancellation);
            return new Report(root, issuing, crl, done);
        }, cancellation);
    }

    /// <summary>
    /// Keys kept before the HSM move into it once: the root's into the root's token, where it signs a new root CRL; the issuing
    /// CA's into the online token (sensitive and not extractable from then on). They come from the PKCS#12 settings
    /// (<c>Certificates:Ca:RootPfx</c> / <c>IssuingPfx</c>) if set, or else from this database (Data Protection), whose copies
    /// are then removed. The OCSP and TSA keys are not carried over: new ones are made in the token at their first use.
    /// </summary>
    public async Task<Report> ImportAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        using var rootToken = CryptoToken.Open(RootToken);
        var prefix = await online.PrefixAsync(cancellation);
        return await online.ProvisionAsync(async () =>
        {
            await using var session = store.LightweightSession();
            var (root, rootPrivate, issuing, issuingPrivate, from) = await OldKeysAsync(session, cancellation);
            try
            {
                var rootKey = rootToken.FindKey(prefix + RootKey) ?? Import(rootToken, prefix + RootKey, rootPrivate);
                var issuingKey = online.Token.FindKey(prefix + IssuingKey) ?? Import(online.Token, prefix + IssuingKey, issuingPrivate);
                if (!rootKey.Matches(root) || !issuingKey.Matches(issuing))
                    throw new InvalidOperationException("The tokens already hold other keys under this deployment's CA labels: nothing was imported.");
                session.Store(new AuthorityKey { Id = AuthorityKey.Root, CertificateDer = root.RawData });
                session.Store(new AuthorityKey { Id = AuthorityKey.Issuing, CertificateDer = issuing.RawData, KeyLabel = issuingKey.Label });
                foreach (var service in new[] { ServiceSigner.Ocsp, ServiceSigner.TimeStamping }) session.Delete<AuthorityKey>(service.Id);
                var crl = RootCrl(await session.LoadAsync<CrlDocument>(CrlDocument.Root, cancellation), root, rootKey, now);
                session.Store(crl);
                await session.SaveChangesAsync(cancellation);
                return new Report(root, issuing, crl, [$"imported the root's key into {RootToken} and the issuing CA's into {online.Settings} from {from}",
                    $"signed the root's CRL number {crl.Number}, next update {crl.NextUpdate:yyyy-MM-dd}"]);
            }
            finally
            {
                rootPrivate.Dispose();
                issuingPrivate.Dispose();
            }
        }, cancellation);
    }

    private async Task<(X509Certificate2, ECDsa, X509Certificate2, ECDsa, string)> OldKeysAsync(IDocumentSession session, CancellationToken cancellation)
    {
        if (configuration["Certificates:Ca:RootPfx"] is { Length: > 0 } rootPfx && configuration["Certificates:Ca:IssuingPfx"] is { Length: > 0 } issuingPfx)
        {
            var root = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(rootPfx), configuration["Certificates:Ca:RootPassword"], X509KeyStorageFlags.Exportable);
            var issuing = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(issuingPfx), configuration["Certificates:Ca:IssuingPassword"], X509KeyStorageFlags.Exportable);
            return (root, Exportable(root.GetECDsaPrivateKey()!), issuing, Exportable(issuing.GetECDsaPrivateKey()!), "Certificates__Ca__RootPfx and IssuingPfx");
        }
        var rootStored = await session.LoadAsync<AuthorityKey>(AuthorityKey.Root, cancellation);
        var issuingStored = await session.LoadAsync<AuthorityKey>(AuthorityKey.Issuing, cancellation);
        if (rootStored?.ProtectedKey is null || issuingStored?.ProtectedKey is null)
            throw new InvalidOperationException("There are no CA keys to import: neither Certificates__Ca__RootPfx/IssuingPfx nor keys under Data Protection in this database.");
        var protector = protection.CreateProtector("MySign.Certificates.CA");
        ECDsa Open(AuthorityKey stored)
        {
            var pkcs8 = protector.Unprotect(Convert.FromBase64String(stored.ProtectedKey!));
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            CryptographicOperations.ZeroMemory(pkcs8);
            return key;
        }
        return (X509CertificateLoader.LoadCertificate(rootStored.CertificateDer), Open(rootStored), X509CertificateLoader.LoadCertificate(issuingStored.CertificateDer),
            Open(issuingStored), "this database (Data Protection)");
    }

    private static TokenKey Import(CryptoToken token, string label, ECDsa key)
    {
        var parameters = key.ExportParameters(true);
        try { return token.ImportKey(label, parameters); }
        finally { CryptographicOperations.ZeroMemory(parameters.D); }
    }

    /// <summary>A PKCS#12 key on Linux exports its parameters only when loaded exportable; copy it into a key that does.</summary>
    private static ECDsa Exportable(ECDsa key)
    {
        var copy = ECDsa.Create(key.ExportParameters(true));
        key.Dispose();
        return copy;
    }

    private static CrlDocument RootCrl(CrlDocument? previous, X509Certificate2 root, TokenKey rootKey, DateTimeOffset now)
    {
        var crl = previous ?? new CrlDocument { Id = CrlDocument.Root };
        crl.Number++;
        crl.ThisUpdate = now;
        crl.NextUpdate = now + RootCrlLifetime;
        crl.Der = CertificateFactory.BuildCrl(root, rootKey.SignatureGenerator(), [], crl.Number, now, crl.NextUpdate);
        return crl;
    }

    private static PublicKey PublicKeyOf(TokenKey key)
    {
        using var ecdsa = key.AsECDsa();
        return new PublicKey(ecdsa);
    }
}
