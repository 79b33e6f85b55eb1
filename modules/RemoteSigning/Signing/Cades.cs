using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Wolverine;

namespace MySign.RemoteSigning.Signing;

/// <summary>
/// A CAdES signature before its signature value: the signed attributes over one SHA-256 digest, and <see cref="Hash"/>, what
/// the holder's key must sign. The key is not here: the signature activation module signs <see cref="Hash"/> in the token.
/// </summary>
public sealed class CadesDraft
{
    internal CadesDraft(X509Certificate2 signer, X509Certificate2 issuing, List<byte[]> attributes)
    {
        Signer = signer;
        Issuing = issuing;
        Attributes = attributes;
        var set = new AsnWriter(AsnEncodingRules.DER);
        using (set.PushSetOf()) foreach (var attribute in attributes) set.WriteEncodedValue(attribute);
        Hash = SHA256.HashData(set.Encode());
    }

    public X509Certificate2 Signer { get; }
    public X509Certificate2 Issuing { get; }
    internal List<byte[]> Attributes { get; }
    /// <summary>SHA-256 of the DER SET OF signed attributes: what ecdsa-with-SHA256 signs (RFC 5652 §5.4).</summary>
    public byte[] Hash { get; }
}

/// <summary>
/// CAdES baseline signatures (ETSI EN 319 122-1), detached, assembled from the digest (RFC 5652 by hand: .NET's SignedCms wants
/// the key in the process, and the key is in the token): content type, message digest, ESS signing-certificate-v2 and, except
/// for PAdES (EN 319 142-1: the time is the PDF's /M) and a client's own digests, the signing time as signed attributes;
/// ecdsa-with-SHA256; the signer's and the issuing CA's certificates; at level B-T our TSA's time-stamp over the signature
/// value as the unsigned signature-time-stamp. Made in two steps, <see cref="Draft"/> then <see cref="CompleteAsync"/>, with
/// the holder's activation between them.
/// </summary>
public sealed class Cades
{
    public const string SigningCertificateV2 = "1.2.840.113549.1.9.16.2.47";
    public const string SignatureTimeStampToken = "1.2.840.113549.1.9.16.2.14";
    private const string Data = "1.2.840.113549.1.7.1", SignedData = "1.2.840.113549.1.7.2", Sha256 = "2.16.840.1.101.3.4.2.1", EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    /// <summary>The signed attributes over <paramref name="sha256"/> (the content's digest, or a client's), with a signing time when given.</summary>
    public static CadesDraft Draft(byte[] sha256, X509Certificate2 signer, X509Certificate2 issuing, DateTimeOffset? signingTime)
    {
        var attributes = new List<byte[]>
        {
            Attribute("1.2.840.113549.1.9.3", w => w.WriteObjectIdentifier(Data)),
            Attribute("1.2.840.113549.1.9.4", w => w.WriteOctetString(sha256)),
            Attribute(SigningCertificateV2, w => w.WriteEncodedValue(EssCertIdV2(signer))),
        };
        if (signingTime is { } time) attributes.Add(Attribute("1.2.840.113549.1.9.5", w => w.WriteUtcTime(time.ToUniversalTime())));
        attributes.Sort((a, b) => a.AsSpan().SequenceCompareTo(b)); // DER: a SET OF in order of its encodings
        return new CadesDraft(signer, issuing, attributes);
    }

    /// <summary>The SignedData with <paramref name="signature"/> (DER ECDSA over <see cref="CadesDraft.Hash"/>), time-stamped unless <paramref name="timeStamp"/> is false (AdES-B-B).</summary>
    public async Task<byte[]> CompleteAsync(CadesDraft draft, byte[] signature, bool timeStamp, IMessageBus bus, CancellationToken cancellation)
    {
        byte[]? token = timeStamp ? await TrustServicesClient.TimeStampAsync(bus, SHA256.HashData(signature), cancellation) : null;
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
                    writer.WriteEncodedValue(draft.Signer.RawData);
                    writer.WriteEncodedValue(draft.Issuing.RawData);
                }
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteInteger(1);
                    using (writer.PushSequence())
                    {
                        writer.WriteEncodedValue(draft.Signer.IssuerName.RawData);
                        writer.WriteInteger(draft.Signer.SerialNumberBytes.Span);
                    }
                    Algorithm(writer, Sha256);
                    using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, true))) foreach (var a in draft.Attributes) writer.WriteEncodedValue(a);
                    Algorithm(writer, EcdsaWithSha256);
                    writer.WriteOctetString(signature);
                    if (token is not null)
                        using (writer.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 1, true)))
                            writer.WriteEncodedValue(Attribute(SignatureTimeStampToken, w => w.WriteEncodedValue(token)));
                }
            }
        }
        return writer.Encode();
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

    private static void Algorithm(AsnWriter writer, string oid)
    {
        using (writer.PushSequence()) writer.WriteObjectIdentifier(oid);
    }
}
