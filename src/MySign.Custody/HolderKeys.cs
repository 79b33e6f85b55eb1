using System.Formats.Asn1;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace MySign.Custody;

/// <summary>
/// Holder keys, which never exist in the clear outside the token: made in the token as session objects and handed out only
/// wrapped by the token's own AES key (CKM_AES_KEY_WRAP_PAD, RFC 5649; the key that wraps is sensitive and never leaves the
/// token). To sign, a wrapped key is unwrapped into a session object (sensitive, not extractable), signs the hashes and is
/// destroyed. Only the signature activation module (Certificates/Custody) may call these: an architecture test holds it.
/// </summary>
public sealed class HolderKeys(CryptoToken token, string wrappingKeyLabel)
{
    /// <summary>CKM_AES_KEY_WRAP_PAD (PKCS#11 v2.40), which SoftHSM2 and the HSMs we name support for private keys.</summary>
    private const ulong AesKeyWrapPad = 0x210A;

    /// <summary>Which of the token's keys wraps (stored beside each wrapped key, so a later key can take over).</summary>
    public string WrappingKey => wrappingKeyLabel;

    /// <summary>Makes the wrapping key now if the token has none (at start, under the deployment's lock), so nodes never race to make two.</summary>
    public void EnsureWrappingKey() => token.Use(session => token.SecretKey(session, wrappingKeyLabel, create: true));

    /// <summary>A new P-256 key pair, generated in the token; its private key only as the token wraps it.</summary>
    public (byte[] Wrapped, ECParameters PublicKey) Generate() => token.Use(session =>
    {
        var wrapping = token.SecretKey(session, wrappingKeyLabel, create: false);
        session.GenerateKeyPair(CryptoToken.Mechanism(CKM.CKM_EC_KEY_PAIR_GEN),
            [
                CryptoToken.Attributes.Create(CKA.CKA_TOKEN, false), CryptoToken.Attributes.Create(CKA.CKA_EC_PARAMS, EcCurve.P256.Parameters()),
                CryptoToken.Attributes.Create(CKA.CKA_VERIFY, true),
            ],
            [.. SessionPrivateKey(extractable: true)], out var publicKey, out var privateKey);
        try
        {
            var point = session.GetAttributeValue(publicKey, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray();
            return (session.WrapKey(CryptoToken.Mechanism(AesKeyWrapPad), wrapping, privateKey), EcCurve.P256.PublicKey(point));
        }
        finally
        {
            session.DestroyObject(privateKey);
            session.DestroyObject(publicKey);
        }
    });

    /// <summary>
    /// A key that was kept outside the token before (PKCS#8, an old holder's) brought in and wrapped like a new one; the
    /// plain bytes are zeroed here. Used once per key, by the migration the next time the PIN opens it.
    /// </summary>
    public byte[] Import(byte[] pkcs8)
    {
        byte[]? d = null;
        try
        {
            d = PrivateValue(pkcs8);
            var value = d;
            return token.Use(session =>
            {
                var wrapping = token.SecretKey(session, wrappingKeyLabel, create: false);
                var imported = session.CreateObject(
                [
                    CryptoToken.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), CryptoToken.Attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_EC),
                    CryptoToken.Attributes.Create(CKA.CKA_EC_PARAMS, EcCurve.P256.Parameters()), CryptoToken.Attributes.Create(CKA.CKA_VALUE, value),
                    .. SessionPrivateKey(extractable: true),
                ]);
                try { return session.WrapKey(CryptoToken.Mechanism(AesKeyWrapPad), wrapping, imported); }
                finally { session.DestroyObject(imported); }
            });
        }
        finally
        {
            if (d is not null) CryptographicOperations.ZeroMemory(d);
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>
    /// Signs each hash with the wrapped key: one unwrap into a session object for the whole batch, ECDSA in the token, the
    /// object destroyed before returning. DER signatures, in the order of <paramref name="hashes"/>.
    /// </summary>
    public byte[][] Sign(byte[] wrapped, IReadOnlyList<byte[]> hashes) => token.Use(session =>
    {
        var wrapping = token.SecretKey(session, wrappingKeyLabel, create: false);
        var key = session.UnwrapKey(CryptoToken.Mechanism(AesKeyWrapPad), wrapping, wrapped,
        [
            CryptoToken.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), CryptoToken.Attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_EC),
            .. SessionPrivateKey(extractable: false),
        ]);
        try
        {
            var mechanism = CryptoToken.Mechanism(CKM.CKM_ECDSA);
            var signatures = new byte[hashes.Count][];
            for (var i = 0; i < hashes.Count; i++) signatures[i] = EcSignature.ToDer(session.Sign(mechanism, key, hashes[i]));
            return signatures;
        }
        finally
        {
            session.DestroyObject(key);
        }
    });

    /// <summary>A private key that lives only as long as this session, sensitive; extractable only to be wrapped at birth.</summary>
    private static IEnumerable<IObjectAttribute> SessionPrivateKey(bool extractable) =>
    [
        CryptoToken.Attributes.Create(CKA.CKA_TOKEN, false), CryptoToken.Attributes.Create(CKA.CKA_PRIVATE, true),
        CryptoToken.Attributes.Create(CKA.CKA_SENSITIVE, true), CryptoToken.Attributes.Create(CKA.CKA_EXTRACTABLE, extractable),
        CryptoToken.Attributes.Create(CKA.CKA_SIGN, true), CryptoToken.Attributes.Create(CKA.CKA_DECRYPT, false), CryptoToken.Attributes.Create(CKA.CKA_DERIVE, false),
    ];

    /// <summary>The private value d of a PKCS#8 P-256 key, read with the ASN.1 reader (no key object is made in this process).</summary>
    private static byte[] PrivateValue(byte[] pkcs8)
    {
        var info = new AsnReader(pkcs8, AsnEncodingRules.BER).ReadSequence();
        info.ReadInteger();
        var algorithm = info.ReadSequence();
        if (algorithm.ReadObjectIdentifier() != "1.2.840.10045.2.1" || algorithm.ReadObjectIdentifier() != EcCurve.P256.Oid)
            throw new CryptographicException("Not a P-256 key");
        var ecPrivateKey = new AsnReader(info.ReadOctetString(), AsnEncodingRules.BER).ReadSequence();
        ecPrivateKey.ReadInteger();
        var d = ecPrivateKey.ReadOctetString();
        return d.Length == 32 ? d : throw new CryptographicException("Unexpected private key length");
    }
}
