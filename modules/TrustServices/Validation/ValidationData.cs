using System.Security.Cryptography.X509Certificates;
using MySign.TrustServices.Contracts;
using MySign.TrustServices.Authority;
using MySign.TrustServices.Domain;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;

namespace MySign.TrustServices.Validation;

/// <summary>
/// The validation data for a signature by <c>signer</c> time-stamped by our TSA: every certificate of both chains (signer,
/// issuing CA, root, TSA), a fresh OCSP answer from our responder for the signer's and the TSA's certificates, and the
/// current CRLs of the issuing CA (covering both) and of the root (covering the issuing CA). The OCSP responder's own
/// certificate travels inside its answers and needs no status (id-pkix-ocsp-nocheck).
/// </summary>
public sealed class ValidationData(CertificateAuthority authority, OcspResponder ocsp, Crl.Crls crls, TimeProvider clock)
{
    public async Task<ValidationMaterial> ForAsync(X509Certificate2 signer, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var (root, issuing) = await authority.GetAsync(cancellation);
        var tsa = (await authority.GetSignerAsync(ServiceSigner.TimeStamping, now, cancellation)).Certificate;
        var lists = new List<byte[]>();
        foreach (var which in new[] { CrlDocument.Issuing, CrlDocument.Root })
            lists.Add((await crls.CurrentAsync(which, now, cancellation)).Der);
        return new ValidationMaterial([signer.RawData, issuing.RawData, root.RawData, tsa.RawData],
            [await StatusOfAsync(signer, issuing, cancellation), await StatusOfAsync(tsa, issuing, cancellation)], lists);
    }

    private async Task<byte[]> StatusOfAsync(X509Certificate2 certificate, X509Certificate2 issuing, CancellationToken cancellation)
    {
        var requests = new OcspReqGenerator();
        requests.AddRequest(new CertificateID(CertificateID.DigestSha1, new X509CertificateParser().ReadCertificate(issuing.RawData),
            new Org.BouncyCastle.Math.BigInteger(1, certificate.SerialNumberBytes.ToArray())));
        return await ocsp.RespondAsync(requests.Generate().GetEncoded(), cancellation);
    }
}
