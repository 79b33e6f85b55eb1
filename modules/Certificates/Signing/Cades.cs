using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using MySign.Certificates.Validation;

namespace MySign.Certificates.Signing;

/// <summary>
/// CAdES baseline signatures (ETSI EN 319 122-1) at level B-T: a CMS SignedData over SHA-256 with the signing time
/// and ESS signing-certificate-v2 as signed attributes, and a signature time-stamp from our TSA (RFC 3161) as an
/// unsigned attribute. The key stays where the caller opened it: this only ever gets the certificate with its key.
/// </summary>
public sealed class Cades(TimeStampAuthority tsa)
{
    public const string SigningCertificateV2 = "1.2.840.113549.1.9.16.2.47";
    public const string SignatureTimeStampToken = "1.2.840.113549.1.9.16.2.14";

    /// <summary>A detached signature (.p7s) of <paramref name="content"/>.</summary>
    /// <param name="signingTime">false for a PAdES signature (the time is the PDF's /M; EN 319 142-1 forbids the attribute).</param>
    public async Task<byte[]> SignDetachedAsync(byte[] content, X509Certificate2 signingCertificate, X509Certificate2 issuing, DateTimeOffset now,
        CancellationToken cancellation, bool signingTime = true, bool timeStamp = true)
    {
        var cms = new SignedCms(new ContentInfo(content), detached: true);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, signingCertificate)
        {
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"), IncludeOption = X509IncludeOption.EndCertOnly,
        };
        signer.Certificates.Add(X509CertificateLoader.LoadCertificate(issuing.RawData));
        if (signingTime) signer.SignedAttributes.Add(new Pkcs9SigningTime(now.UtcDateTime));
        signer.SignedAttributes.Add(new AsnEncodedData(SigningCertificateV2, EssCertIdV2(signingCertificate)));
        cms.ComputeSignature(signer, silent: true);
        if (!timeStamp) return cms.Encode(); // AdES-B-B, when a client asks for it
        var signerInfo = cms.SignerInfos[0];
        var token = await tsa.TokenForAsync(SHA256.HashData(signerInfo.GetSignature()), cancellation);
        signerInfo.AddUnsignedAttribute(new AsnEncodedData(SignatureTimeStampToken, token));
        return cms.Encode();
    }

    /// <summary>
    /// SigningCertificateV2 (RFC 5035): the signer certificate's SHA-256 hash (the default algorithm, so omitted) and
    /// its issuer and serial number, binding the signature to that one certificate.
    /// </summary>
    public static byte[] EssCertIdV2(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteOctetString(SHA256.HashData(certificate.RawData));
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true)))
                    writer.WriteEncodedValue(certificate.IssuerName.RawData);
                writer.WriteInteger(certificate.SerialNumberBytes.Span);
            }
        }
        return writer.Encode();
    }
}

/// <summary>
/// A detached CAdES signature over a digest the client computed (CSC signDoc's documentDigests): the same
/// SignedData as <see cref="Cades.SignDetachedAsync"/> — content type, message digest and signing-certificate-v2
/// signed, our TSA's time-stamp unsigned — assembled by hand, since .NET's SignedCms wants the content itself.
/// </summary>
public sealed class CadesFromDigest(TimeStampAuthority tsa)
{
    private const string Data = "1.2.840.113549.1.7.1", SignedData = "1.2.840.113549.1.7.2", Sha256 = "2.16.840.1.101.3.4.2.1", EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    public async Task<byte[]> SignAsync(byte[] sha256, X509Certificate2 signingCertificate, X509Certificate2 issuing, bool timeStamp, CancellationToken cancellation)
    {
        var attributes = new List<byte[]>
        {
            Attribute("1.2.840.113549.1.9.3", w => w.WriteObjectIdentifier(Data)),
            Attribute("1.2.840.113549.1.9.4", w => w.WriteOctetString(sha256)),
            Attribute(Cades.SigningCertificateV2, w => w.WriteEncodedValue(Cades.EssCertIdV2(signingCertificate))),
        };
        attributes.Sort((a, b) => a.AsSpan().SequenceCompareTo(b)); // DER: a SET OF in order of its encodings
        var toSign = new AsnWriter(AsnEncodingRules.DER);
        using (toSign.PushSetOf()) foreach (var a in attributes) toSign.WriteEncodedValue(a);
        using var key = signingCertificate.GetECDsaPrivateKey()!;
        var signature = key.SignData(toSign.Encode(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        byte[]? token = timeStamp ? await tsa.TokenForAsync(SHA256.HashData(signature), cancellation) : null;

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(SignedData);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            using (writer.PushSequence())
            {
                writer.WriteInteger(1);
                using (writer.PushSetOf()) Algorithm(writer, Sha256);
                using (writer.PushSequence()) writer.WriteObjectIdentifier(Data);
                using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                {
                    writer.WriteEncodedValue(signingCertificate.RawData);
                    writer.WriteEncodedValue(issuing.RawData);
                }
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1);
                    using (writer.PushSequence())
                    {
                        writer.WriteEncodedValue(signingCertificate.IssuerName.RawData);
                        writer.WriteInteger(signingCertificate.SerialNumberBytes.Span);
                    }
                    Algorithm(writer, Sha256);
                    using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, true))) foreach (var a in attributes) writer.WriteEncodedValue(a);
                    Algorithm(writer, EcdsaWithSha256, withNull: false);
                    writer.WriteOctetString(signature);
                    if (token is not null)
                        using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 1, true)))
                            writer.WriteEncodedValue(Attribute(Cades.SignatureTimeStampToken, w => w.WriteEncodedValue(token)));
                }
            }
        }
        return writer.Encode();
    }

    private static byte[] Attribute(string oid, Action<AsnWriter> value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            using (writer.PushSetOf()) value(writer);
        }
        return writer.Encode();
    }

    private static void Algorithm(AsnWriter writer, string oid, bool withNull = false)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (withNull) writer.WriteNull();
        }
    }
}
