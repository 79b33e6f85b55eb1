using System.Security.Cryptography.X509Certificates;

namespace MySign.TrustServices.Domain;

/// <summary>
/// A holder certificate the issuing CA signed: the OCSP responder answers "good" for its serial until a revocation entry says
/// otherwise (an unknown serial is "unknown"). Id is the serial in hex. Recorded before the certificate leaves the CA.
/// </summary>
public sealed class IssuedCertificate
{
    public string Id { get; set; } = "";
    public Guid CertificateId { get; set; }
    public string HolderId { get; set; } = "";
    public DateTimeOffset NotAfter { get; set; }
}

/// <summary>A serial on the CRL: revoked (for good) or on hold (suspended; removed on reactivation). Id is the serial in hex.</summary>
public sealed class RevocationEntry
{
    public string Id { get; set; } = "";
    public Guid CertificateId { get; set; }
    public DateTimeOffset RevokedAt { get; set; }
    public X509RevocationReason Reason { get; set; }
}

/// <summary>A published CRL: the issuing CA's ("issuing") or the root's ("root").</summary>
public sealed class CrlDocument
{
    public const string Issuing = "issuing", Root = "root";
    public string Id { get; set; } = Issuing;
    public long Number { get; set; }
    public byte[] Der { get; set; } = [];
    public DateTimeOffset ThisUpdate { get; set; }
    public DateTimeOffset NextUpdate { get; set; }
}
