using System.Security.Cryptography.X509Certificates;

namespace MySign.TrustServices.Domain;

/// <summary>
/// What a revocation request or a release does to the CRL's entry for a serial, whatever order the requests arrive in and
/// however often (the outbox delivers again; the clocks of two nodes differ). A revocation for good is never moved, turned
/// into a hold or taken off; it replaces a hold whatever the clocks say. A release takes off only the hold it names.
/// </summary>
public static class RevocationRules
{
    /// <summary>The entry to store for <paramref name="reason"/> at <paramref name="at"/>, or null when the one there stands.</summary>
    public static RevocationEntry? Record(RevocationEntry? existing, string serial, Guid certificateId, X509RevocationReason reason, DateTimeOffset at)
    {
        var requested = new RevocationEntry { Id = serial, CertificateId = certificateId, RevokedAt = at, Reason = reason };
        if (existing is null) return requested;
        if (existing.Reason != X509RevocationReason.CertificateHold) return null;
        if (reason != X509RevocationReason.CertificateHold) return requested;
        return existing.RevokedAt < at ? requested : null;
    }

    /// <summary>
    /// Whether a release takes <paramref name="existing"/> off: only a hold recorded at <paramref name="holdRecordedAt"/> (the
    /// suspension the reactivation ended). A hold from before that time was kept (null) releases any hold.
    /// </summary>
    public static bool Releases(RevocationEntry? existing, DateTimeOffset? holdRecordedAt) =>
        existing is { Reason: X509RevocationReason.CertificateHold } && (holdRecordedAt is null || existing.RevokedAt == holdRecordedAt);
}
