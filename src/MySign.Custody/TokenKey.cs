using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;

namespace MySign.Custody;

/// <summary>
/// A private key inside the token, known by its label, with its public key. It signs hashes by reference (C_Sign);
/// <see cref="AsECDsa"/>, <see cref="SignatureGenerator"/> and <see cref="SignatureFactory"/> hand it to .NET's certificate
/// and CRL builders and to BouncyCastle's OCSP and time-stamp generators without the key ever leaving the token.
/// </summary>
public sealed class TokenKey
{
    private readonly CryptoToken _token;

    internal TokenKey(CryptoToken token, string label, EcCurve curve, ECParameters publicKey)
    {
        _token = token;
        Label = label;
        Curve = curve;
        PublicKey = publicKey;
    }

    public string Label { get; }
    public EcCurve Curve { get; }
    public ECParameters PublicKey { get; }

    /// <summary>SHA-1 of the uncompressed public point: the key identifier X.509 and PKCS#11 tools pair a key by.</summary>
    public byte[] Identifier => SHA1.HashData([0x04, .. PublicKey.Q.X!, .. PublicKey.Q.Y!]);

    /// <summary>ECDSA over <paramref name="hash"/> in the token: the DER signature X.509, CMS and OCSP carry.</summary>
    public byte[] SignHash(ReadOnlySpan<byte> hash) => EcSignature.ToDer(_token.SignHash(this, hash));

    internal byte[] SignHashRaw(ReadOnlySpan<byte> hash) => _token.SignHash(this, hash);

    /// <summary>An ECDsa whose private operations are the token's (it exports the public key only).</summary>
    public ECDsa AsECDsa() => new TokenECDsa(this);

    /// <summary>For CertificateRequest, CertificateRevocationListBuilder: the token signs.</summary>
    public X509SignatureGenerator SignatureGenerator() => X509SignatureGenerator.CreateForECDsa(AsECDsa());

    /// <summary>For BouncyCastle (OCSP responses, time-stamp tokens): ecdsa-with-SHA256/384, the token signs.</summary>
    public ISignatureFactory SignatureFactory(HashAlgorithmName hash) => new TokenSignatureFactory(this, hash);

    /// <summary>Whether the public key is the one in <paramref name="certificate"/>.</summary>
    public bool Matches(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPublicKey();
        var q = key?.ExportParameters(false).Q;
        return q is { } point && point.X.AsSpan().SequenceEqual(PublicKey.Q.X) && point.Y.AsSpan().SequenceEqual(PublicKey.Q.Y);
    }
}

/// <summary>ECDsa over a token key: .NET's builders call SignHash, which the token answers.</summary>
internal sealed class TokenECDsa : ECDsa
{
    private readonly TokenKey _key;

    public TokenECDsa(TokenKey key)
    {
        _key = key;
        KeySizeValue = key.Curve.FieldBytes * 8;
        LegalKeySizesValue = [new KeySizes(KeySizeValue, KeySizeValue, 0)];
    }

    public override byte[] SignHash(byte[] hash) => _key.SignHashRaw(hash);

    public override bool VerifyHash(byte[] hash, byte[] signature)
    {
        using var publicKey = Create(_key.PublicKey);
        return publicKey.VerifyHash(hash, signature);
    }

    public override ECParameters ExportParameters(bool includePrivateParameters) =>
        includePrivateParameters ? throw new CryptographicException("A token key is never exported") : _key.PublicKey;

    public override ECParameters ExportExplicitParameters(bool includePrivateParameters) =>
        throw new CryptographicException("A token key is exported only with its named curve");

    public override void ImportParameters(ECParameters parameters) => throw new CryptographicException("A token key is made in the token");

    public override void GenerateKey(ECCurve curve) => throw new CryptographicException("A token key is made in the token");

    protected override byte[] HashData(byte[] data, int offset, int count, HashAlgorithmName hashAlgorithm) =>
        CryptographicOperations.HashData(hashAlgorithm, data.AsSpan(offset, count));

    protected override byte[] HashData(Stream data, HashAlgorithmName hashAlgorithm) => CryptographicOperations.HashData(hashAlgorithm, data);
}

/// <summary>BouncyCastle's view of a token key: a calculator that hashes what is written and has the token sign the hash.</summary>
internal sealed class TokenSignatureFactory(TokenKey key, HashAlgorithmName hash) : ISignatureFactory
{
    public object AlgorithmDetails { get; } = new AlgorithmIdentifier(hash == HashAlgorithmName.SHA384 ? X9ObjectIdentifiers.ECDsaWithSha384
        : hash == HashAlgorithmName.SHA256 ? X9ObjectIdentifiers.ECDsaWithSha256 : throw new ArgumentException($"Unsupported hash {hash}"));

    public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(key, hash);

    private sealed class Calculator(TokenKey key, HashAlgorithmName hash) : IStreamCalculator<IBlockResult>
    {
        private readonly HashingStream _stream = new(IncrementalHash.CreateHash(hash));
        public Stream Stream => _stream;
        public IBlockResult GetResult() => new SimpleBlockResult(key.SignHash(_stream.Hash.GetHashAndReset()));
    }

    private sealed class HashingStream(IncrementalHash hash) : Stream
    {
        public IncrementalHash Hash { get; } = hash;
        public override void Write(byte[] buffer, int offset, int count) => Hash.AppendData(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => Hash.AppendData(buffer);
        public override void WriteByte(byte value) => Hash.AppendData([value]);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
