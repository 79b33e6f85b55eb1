using MySign.Certificates.Custody;

namespace MySign.Certificates.Domain;

public enum CertificateStatus { Active, Suspended, Revoked, Expired }
public enum SignatureKind { Remote, Automatic }

/// <summary>
/// The holder's current signature certificate with its key sealed under the PIN. Id is the holder's
/// User ID; a renewal replaces it (the old serial goes to the CRL as superseded).
/// </summary>
public sealed class HolderCertificate
{
    public string Id { get; set; } = "";
    public Guid CertificateId { get; set; }
    public string UniqueIdentifier { get; set; } = "";
    public string SerialNumber { get; set; } = "";
    public string GivenName { get; set; } = "";
    public string Surname { get; set; } = "";
    public string FiscalCode { get; set; } = "";
    public SignatureKind Kind { get; set; }
    public CertificateStatus Status { get; set; }
    public DateTimeOffset ActivatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public byte[] Der { get; set; } = [];
    public SealedKey? Key { get; set; }
    /// <summary>The renewal this certificate was issued for, if any: the same renewal asking again gets this one (RenewCertificate).</summary>
    public Guid? RenewedFor { get; set; }
    /// <summary>The key sealed under a new PIN, waiting for the OTP that confirms the PIN change.</summary>
    public SealedKey? PendingKey { get; set; }
    public Guid? PendingChallengeId { get; set; }
    /// <summary>Where the pending PIN change's OTP went (masked).</summary>
    public string? PendingDestination { get; set; }
    /// <summary>The pending PIN change is confirmed with a passkey (the challenge id), not a code.</summary>
    public string? PendingPasskey { get; set; }
    /// <summary>The factor that confirms the pending PIN change (OtpIssued.Factor), so each answer of the step words itself for it.</summary>
    public string? PendingFactor { get; set; }
    /// <summary>
    /// Only the wrong PINs counted before the count moved to its own document (<c>Pin.PinAttempts</c>): read where that
    /// document does not exist yet, so a PIN blocked before the upgrade stays blocked. Never written.
    /// </summary>
    public int WrongPinAttempts { get; set; }
    public DateTimeOffset? SuspendedUntil { get; set; }
    public string? StatusReason { get; set; }
    public DateTimeOffset? StatusChangedAt { get; set; }

    /// <summary>Wrong PINs a PIN may take in its life (counted in <c>Pin.PinAttempts</c>, ADR 0006).</summary>
    public const int MaxPinAttempts = 5;

    /// <summary>
    /// Expiry needs no one to act: past its end a certificate reads as expired, a suspended one too (a suspension does not
    /// keep a certificate alive; nothing can reactivate it any more). Only a revocation stays what it was.
    /// </summary>
    public CertificateStatus StatusAt(DateTimeOffset now) =>
        Status is CertificateStatus.Active or CertificateStatus.Suspended && now >= ExpiresAt ? CertificateStatus.Expired : Status;
}
