namespace MySign.Certificates.Contracts;

/// <summary>
/// A certificate was issued to a holder (at activation, renewal, or a new PIN at the RAO desk). Other modules keep what they
/// need of it. Status is "active", or "suspended" for a new key made for a suspended certificate, which keeps its hold.
/// </summary>
public sealed record CertificateIssued(
    string HolderId, Guid CertificateId, string UniqueIdentifier, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Status = "active");

/// <summary>
/// Issues a holder's certificate: a new key pair sealed under <paramref name="Pin"/>, a new unique identifier,
/// valid three years; a current certificate is superseded. Answered inline only (it carries the PIN,
/// which must never be written to a queue). ValidFrom backdates the validity (demo data and tests only).
/// UniqueIdentifier is the IUT given at registration (see <see cref="AllocateIut"/>); otherwise a new one is drawn.
/// </summary>
public sealed record IssueCertificate(string HolderId, string GivenName, string Surname, string FiscalCode, string Pin, bool Automatic = false,
    DateTimeOffset? ValidFrom = null, string? UniqueIdentifier = null, DateTimeOffset? NotAfter = null)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"IssueCertificate {{ HolderId = {HolderId}, Automatic = {Automatic} }}";
}

/// <summary>A certificate's status changed (suspended, reactivated, revoked); Renewal and History may react.</summary>
public sealed record CertificateStatusChanged(string HolderId, Guid CertificateId, string Status, DateTimeOffset At);

/// <summary>Checks a holder's signature PIN (wrong tries count towards the block, as for signing). Answered inline.</summary>
public sealed record CheckSignaturePin(string HolderId, string Pin)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"CheckSignaturePin {{ HolderId = {HolderId} }}";
}

/// <summary>ErrorKey explains a refusal (wrong or blocked PIN, no active certificate): a message key, or the sentence already in the asker's language (a wrong PIN says how many attempts are left).</summary>
public sealed record SignaturePinChecked(bool Ok, string? ErrorKey);

/// <summary>
/// Renews a holder's certificate: same identity, new key sealed under the new PIN, new IUT, three years; the old
/// one is superseded. Answers <see cref="RenewalOutcome"/>. Answered inline only (carries the PIN). One certificate per
/// <paramref name="RenewalId"/>: asked again for the same renewal (its save lost a race to "Send new OTP", a node died before
/// it), the answer is the certificate already issued for it, never a second one.
/// </summary>
public sealed record RenewCertificate(string HolderId, string NewPin, Guid RenewalId)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"RenewCertificate {{ HolderId = {HolderId} }}";
}

/// <summary>
/// What a <see cref="RenewCertificate"/> came to: the new certificate, or, when the certificate stopped being active since
/// the renewal began (suspended, revoked, expired), none and the reason's key ("renewal.error.not_active").
/// </summary>
public sealed record RenewalOutcome(CertificateIssued? Issued, string? Refusal = null);

// Requests registration and activation (Accounts) and the renewal make of this module.

/// <summary>Draws a new IUT (the holder's unique identifier on the certificate), never given twice.</summary>
public sealed record AllocateIut;

public sealed record IutAllocated(string Iut);

/// <summary>Checks a proposed signature PIN against the PIN rules before the holder is asked for an OTP. Answered inline.</summary>
public sealed record CheckPinRules(string Pin)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => "CheckPinRules { }";
}

/// <summary>ErrorKey is null when the PIN is acceptable.</summary>
public sealed record PinRulesChecked(string? ErrorKey);

/// <summary>Issues an activated holder's first certificate with the IUT given at registration. Carries the PIN: Answered inline.</summary>
public sealed record IssueFirstCertificate(string HolderId, string GivenName, string Surname, string FiscalCode, string Pin, string Iut)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"IssueFirstCertificate {{ HolderId = {HolderId}, Iut = {Iut} }}";
}

public sealed record FirstCertificateIssued(string Iut, DateTimeOffset NotAfter);

/// <summary>The Certificates pages other modules may send a holder to (they hard-code none of its addresses).</summary>
public static class CertificatePages
{
    /// <summary>Reactivate a suspended certificate (PIN + OTP).</summary>
    public const string Reactivate = "/certificate/reactivate";
}

/// <summary>
/// Suspend the holder's certificate now, for the reason given, through <paramref name="Door"/> (the holder reported "this
/// wasn't me"): no PIN, no OTP — whoever sends it already proved enough. Nothing happens to a certificate that is not active.
/// </summary>
public sealed record SuspendCertificateNow(string HolderId, string Reason, CertificateDoor Door);

/// <summary>The RAO checked the holder's identity and the holder still knows the PIN: a fresh count of attempts.</summary>
public sealed record UnblockPin(string HolderId, string Operator, string Office);

/// <summary>
/// The holder forgot the PIN and the RAO checked their identity: the key sealed under it is lost, so a new key and
/// certificate are issued under <paramref name="NewPin"/> for the rest of the old one's validity, with no purchase; the
/// old certificate goes on the CRL as superseded. Carries the PIN: answered inline only, never queued.
/// </summary>
public sealed record ReissueAfterForgottenPin(string HolderId, string NewPin)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"ReissueAfterForgottenPin {{ HolderId = {HolderId} }}";
}

/// <summary>
/// The answer to <see cref="ReissueAfterForgottenPin"/>: the new certificate (Suspended: it keeps the hold of the one it
/// replaced), or the Refusal's message key when the holder has no certificate still in use (revoked or expired since the
/// desk's check), as <see cref="RenewalOutcome"/> answers.
/// </summary>
public sealed record CertificateReissued(string? UniqueIdentifier, DateTimeOffset? NotAfter, bool Suspended = false, string? Refusal = null);

/// <summary>What happened to a holder's certificate, as the holder is told.</summary>
public enum CertificateChange { Suspended, Reactivated, Revoked, Rekeyed, RekeyedSuspended, SuspensionWithoutEnd }

/// <summary>
/// The door a certificate changed through: the portal (PIN + OTP), the emergency code, the "this wasn't me" link of a
/// security e-mail, the RAO desk (a new key after a forgotten PIN, from the desk's link), or the end of a suspension the
/// holder had dated.
/// </summary>
public enum CertificateDoor { Portal, EmergencyCode, NotMe, RaoDesk, AutomaticEnd }

/// <summary>
/// A change to a holder's certificate the holder must hear of, whoever made it (EN 319 411-1 asks it for revocation): what,
/// when and through which door. Accounts tells the holder, by e-mail in their language and by SMS when SMS is their OTP channel.
/// </summary>
public sealed record HolderCertificateChanged(string HolderId, Guid CertificateId, string UniqueIdentifier, CertificateChange Change, CertificateDoor Door,
    DateTimeOffset At);
