using System.Security.Cryptography.X509Certificates;

namespace MySign.TrustServices.Contracts;

/// <summary>The CA's names, as the certificates it makes and the holder's certificate page state them.</summary>
public static class CertificationAuthority
{
    public const string Name = "MySign Qualified Electronic Signature CA";
    public const string Organisation = "MySign S.p.A.";
    public const string Unit = "Qualified Trust Service Provider";
}

/// <summary>What the trust services publish, at the addresses written in every certificate: other modules link here.</summary>
public static class TrustServicePages
{
    public const string Ocsp = "/ocsp";
    public const string Tsa = "/tsa";
    public const string Chain = "/ca/chain.pem";
    public const string IssuingCrl = "/crl/issuing.crl";
}

/// <summary>Asks for the CA's chain: answered with <see cref="CaChain"/>.</summary>
public sealed record GetCaChain;

/// <summary>The root's and the issuing CA's certificates (DER, no key).</summary>
public sealed record CaChain(byte[] Root, byte[] Issuing);

/// <summary>
/// Asks the issuing CA for a holder's qualified certificate over <paramref name="SubjectPublicKeyInfo"/> (the key made in the
/// signature activation module's token; no private part ever crosses), valid from <paramref name="ValidFrom"/> until
/// <paramref name="NotAfter"/> and never outside the CA's own validity. The CA records the serial as its own before it answers,
/// so its OCSP responder knows it from the first request. Answered inline with <see cref="HolderCertificateSigned"/>.
/// </summary>
public sealed record SignHolderCertificate(string HolderId, Guid CertificateId, string GivenName, string Surname, string FiscalCode, string UniqueIdentifier,
    byte[] SubjectPublicKeyInfo, DateTimeOffset ValidFrom, DateTimeOffset NotAfter);

/// <summary>The signed certificate (DER) and its serial number in hex, as the CRL and OCSP name it.</summary>
public sealed record HolderCertificateSigned(byte[] Der, string SerialNumber);

/// <summary>
/// Puts a serial on the CRL with its RFC 5280 reason: CertificateHold for a suspension (taken off again by <see cref="ReleaseHold"/>),
/// the holder's reason for a revocation. Asked inline before the holder's change commits, so the OCSP responder answers "revoked"
/// from the very next request (docs/adr/0020). A revocation for good stands whatever comes after it; it replaces a hold.
/// Answered with <see cref="RevocationRecorded"/>.
/// </summary>
public sealed record RecordRevocation(string SerialNumber, Guid CertificateId, X509RevocationReason Reason, DateTimeOffset At);

/// <summary>The entry now on the CRL for the serial: the one requested, or a revocation for good that was already there.</summary>
public sealed record RevocationRecorded(string SerialNumber, X509RevocationReason Reason, DateTimeOffset At);

/// <summary>A renewal superseded the certificate: on the CRL for good. Sent through the outbox with the new certificate's commit.</summary>
public sealed record RecordSupersession(string SerialNumber, Guid CertificateId, DateTimeOffset At);

/// <summary>
/// Takes a hold off the CRL: the suspension recorded at <paramref name="HoldRecordedAt"/> ended (null: a suspension from before
/// its time was kept). Sent through the outbox after the reactivation commits. Any other entry stays: a later suspension, a
/// revocation, so a late or repeated message never makes a suspended or revoked certificate good.
/// </summary>
public sealed record ReleaseHold(string SerialNumber, Guid CertificateId, DateTimeOffset? HoldRecordedAt);

/// <summary>Asks the TSA for an RFC 3161 time-stamp token over a SHA-256 digest: answered with <see cref="TimeStampGranted"/>.</summary>
public sealed record GetTimeStamp(byte[] Sha256);

public sealed record TimeStampGranted(byte[] Token);

/// <summary>
/// Asks for what a relying party needs to validate, later and offline, a signature by <paramref name="Signer"/> (DER) time-stamped
/// by our TSA (PAdES B-LT's DSS): answered with <see cref="ValidationMaterial"/>.
/// </summary>
public sealed record GetValidationMaterial(byte[] Signer);

/// <summary>Every certificate of both chains (signer, issuing CA, root, TSA), a fresh OCSP answer for the signer and the TSA, the current CRLs.</summary>
public sealed record ValidationMaterial(IReadOnlyList<byte[]> Certificates, IReadOnlyList<byte[]> OcspResponses, IReadOnlyList<byte[]> Crls);
