using MySign.Certificates.Domain;

namespace MySign.Certificates.Pin;

/// <summary>
/// The wrong PINs counted against a holder's current certificate: its own document, written only by <see cref="Custody.PinCheck"/>
/// in single statements and by the steps that give a fresh count (a new PIN, the RAO's unblock), so no form that saves
/// the certificate can write back a stale count. A count made for another certificate (before a renewal) counts nothing.
/// </summary>
public sealed class PinAttempts
{
    /// <summary>The holder's User ID, as the certificate's.</summary>
    public string Id { get; set; } = "";
    public Guid CertificateId { get; set; }
    public int Wrong { get; set; }

    public static int WrongFor(HolderCertificate certificate, PinAttempts? attempts) =>
        attempts is null ? certificate.WrongPinAttempts : attempts.CertificateId == certificate.CertificateId ? attempts.Wrong : 0;

    public static int LeftFor(HolderCertificate certificate, PinAttempts? attempts) =>
        Math.Max(0, HolderCertificate.MaxPinAttempts - WrongFor(certificate, attempts));

    /// <summary>A fresh count for the certificate (a new PIN, or the RAO's unblock after an identity check).</summary>
    public static PinAttempts Fresh(HolderCertificate certificate) => new() { Id = certificate.Id, CertificateId = certificate.CertificateId };
}
