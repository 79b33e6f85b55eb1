using System.Formats.Asn1;
using System.Security.Cryptography;

namespace MySign.Custody;

/// <summary>The curves keys are made on: P-256 (holders, OCSP, TSA) and P-384 (the CA).</summary>
public sealed record EcCurve(string Name, string Oid, int FieldBytes, HashAlgorithmName Hash)
{
    public static readonly EcCurve P256 = new("P-256", "1.2.840.10045.3.1.7", 32, HashAlgorithmName.SHA256);
    public static readonly EcCurve P384 = new("P-384", "1.3.132.0.34", 48, HashAlgorithmName.SHA384);

    public ECCurve Curve => ECCurve.CreateFromValue(Oid);

    /// <summary>CKA_EC_PARAMS: the curve's OID, DER.</summary>
    internal byte[] Parameters()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(Oid);
        return writer.Encode();
    }

    internal static EcCurve FromParameters(byte[] parameters)
    {
        var oid = new AsnReader(parameters, AsnEncodingRules.DER).ReadObjectIdentifier();
        return oid == P256.Oid ? P256 : oid == P384.Oid ? P384 : throw new CryptographicException($"Unsupported curve {oid}");
    }

    /// <summary>The public key from CKA_EC_POINT (a DER OCTET STRING around 04‖X‖Y; some modules give the point bare).</summary>
    internal ECParameters PublicKey(byte[] point)
    {
        var raw = point.Length == 1 + 2 * FieldBytes && point[0] == 0x04 ? point : new AsnReader(point, AsnEncodingRules.DER).ReadOctetString();
        if (raw.Length != 1 + 2 * FieldBytes || raw[0] != 0x04) throw new CryptographicException("Unexpected EC point from the token");
        return new ECParameters { Curve = Curve, Q = new ECPoint { X = raw[1..(1 + FieldBytes)], Y = raw[(1 + FieldBytes)..] } };
    }
}

/// <summary>ECDSA signatures: PKCS#11 gives r‖s (IEEE P1363); X.509, CMS, OCSP and CSC want the DER SEQUENCE of two INTEGERs.</summary>
public static class EcSignature
{
    public static byte[] ToDer(ReadOnlySpan<byte> rs)
    {
        var half = rs.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(Minimal(rs[..half]));
            writer.WriteIntegerUnsigned(Minimal(rs[half..]));
        }
        return writer.Encode();
    }

    /// <summary>r or s without leading zero bytes (DER integers are minimal; about one signature in 128 has one).</summary>
    private static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0) start++;
        return value[start..];
    }
}
