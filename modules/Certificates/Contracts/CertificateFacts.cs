namespace MySign.Certificates.Contracts;

/// <summary>
/// A holder's current certificate as another module keeps it from this module's facts (<see cref="CertificateIssued"/>,
/// <see cref="CertificateStatusChanged"/>). The facts may arrive late or twice (the durable inbox retries): a fact about an
/// older certificate, or an older status, never replaces a newer one. Expiry needs no fact: past its end an active or
/// suspended certificate reads as expired. Status is "active", "suspended" or "revoked", as this module says it.
/// </summary>
public sealed record CertificateFacts(Guid CertificateId, string UniqueIdentifier, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Status, DateTimeOffset StatusAt)
{
    /// <summary>What is known after a certificate was issued; null when the fact says nothing new (the same certificate, or an older one).</summary>
    public static CertificateFacts? After(CertificateFacts? known, CertificateIssued issued) =>
        known is not null && (known.CertificateId == issued.CertificateId || known.IssuedAt > issued.NotBefore)
            ? null
            : new CertificateFacts(issued.CertificateId, issued.UniqueIdentifier, issued.NotBefore, issued.NotAfter, issued.Status, issued.NotBefore);

    /// <summary>What is known after the status changed; null when the fact is about another certificate or older than what is known.</summary>
    public CertificateFacts? After(CertificateStatusChanged changed) =>
        changed.CertificateId != CertificateId || changed.At < StatusAt ? null : this with { Status = changed.Status, StatusAt = changed.At };

    /// <summary>The status at <paramref name="now"/>: "expired" once an active or suspended certificate is past its end.</summary>
    public string StatusOn(DateTimeOffset now) => Status is "active" or "suspended" && now >= ExpiresAt ? "expired" : Status;

    /// <summary>Still the holder's to use or to take back: active or suspended. A revoked or expired certificate has nothing left to confirm.</summary>
    public bool InUse(DateTimeOffset now) => StatusOn(now) is "active" or "suspended";
}
