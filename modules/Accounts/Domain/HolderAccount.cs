namespace MySign.Accounts.Domain;

/// <summary>A holder's identity and credentials. Id is the User ID (e.g. m235477), lower case.</summary>
public sealed class HolderAccount
{
    public string Id { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Email { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    public string FiscalCode { get; set; } = "";
    public string Address { get; set; } = "";
    public string PostCode { get; set; } = "";
    public string City { get; set; } = "";
    public string Province { get; set; } = "";
    public string Country { get; set; } = "IT";
    /// <summary>Recovery mobile (E.164), distinct from the OTP phone the Otp module keeps.</summary>
    public string RecoveryMobile { get; set; } = "";

    // Registration at a RAO office (empty for accounts made otherwise, e.g. the demo holder).
    public string Office { get; set; } = "";
    public string RegisteredBy { get; set; } = "";
    public DateTimeOffset? RegisteredAt { get; set; }
    /// <summary>Identificativo Univoco del Titolare, given at registration; the first certificate carries it.</summary>
    public string Iut { get; set; } = "";
    public DateOnly? BirthDate { get; set; }
    public string BirthPlace { get; set; } = "";
    public string Sex { get; set; } = "";
    public IdentityDocument? Document { get; set; }
    /// <summary>Set when the holder followed the e-mailed link, chose password and PIN and confirmed the OTP.</summary>
    public DateTimeOffset? ActivatedAt { get; set; }

    /// <summary>Where the next sign-in lands (see LandOnNextSignIn); cleared when used.</summary>
    public string? NextSignInPath { get; set; }
    /// <summary>
    /// The language the holder last chose, signing in or with the header's switch: reminders, notices and other unprompted
    /// mail and texts are written in it.
    /// </summary>
    public string? Language { get; set; }
    /// <summary>When <see cref="Language"/> was chosen: an older choice arriving later does not replace it.</summary>
    public DateTimeOffset? LanguageChosenAt { get; set; }
    /// <summary>The holder turned expiry and payment reminders off (Manage your account).</summary>
    public bool RemindersOff { get; set; }
    /// <summary>Sign-in asks, after the password, for the holder's OTP or passkey (whatever confirms their operations).</summary>
    public bool FactorAtSignIn { get; set; }
    /// <summary>The holder may sign in with a passkey alone (no User ID, no password).</summary>
    public bool PasskeySignIn { get; set; }

    public bool AwaitsActivation => RegisteredAt is not null && ActivatedAt is null;
    /// <summary>The language of mail nobody asked for at that moment (a certificate suspended, a reminder): the last sign-in's, Italian before any.</summary>
    public string MailLanguage => Language == "en" ? "en" : "it";
    public string DisplayName => $"{FirstName} {LastName}";
}

/// <summary>The identity document the RAO operator checked in person.</summary>
public sealed record IdentityDocument(string Type, string Number, string Issuer, DateOnly Expiry);

/// <summary>One fiscal code, one holder: inserting a second claim for the same code fails in the same transaction.</summary>
public sealed class FiscalCodeClaim
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
}

/// <summary>An operator at a partner office (Registration Authority Officer).</summary>
public sealed class RaoOperator
{
    public string Id { get; set; } = "";
    public string Office { get; set; } = "";
    public string FullName { get; set; } = "";
    public string PasswordHash { get; set; } = "";
    /// <summary>Where the operator's sign-in OTP goes (the Otp module keeps it, under <see cref="OtpSubject"/>).</summary>
    public string Mobile { get; set; } = "";
    /// <summary>Turned off by the TSP (rao-disable): signs in nowhere, authorises nothing, its sessions end.</summary>
    public bool Disabled { get; set; }
    /// <summary>Set by rao-reset-password: the next sign-in (temporary password + OTP) must choose a new password first.</summary>
    public bool MustChangePassword { get; set; }

    /// <summary>The key the operator's OTP settings and failed sign-ins are filed under; never a holder's User ID.</summary>
    public string OtpSubject => "rao:" + Id;
}

/// <summary>A RAO sign-in between password and OTP. Id is the SHA-256 of the token the form carries.</summary>
public sealed class RaoLoginChallenge
{
    public string Id { get; set; } = "";
    public string OperatorId { get; set; } = "";
    public Guid ChallengeId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>The OTP was right but the operator must choose a new password before the session starts.</summary>
    public bool OtpConfirmed { get; set; }
}

/// <summary>
/// A server-side session. Id is the SHA-256 of the cookie's random token, so the database never
/// holds a usable token. Deleting the document ends the session everywhere.
/// </summary>
public sealed class PortalSession
{
    public string Id { get; set; } = "";
    public string PrincipalId { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Role { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    /// <summary>A RAO operator's office (empty for holders).</summary>
    public string Office { get; set; } = "";
    /// <summary>The browser (User-Agent, shortened) and address it started from: the holder's list of devices shows them.</summary>
    public string Device { get; set; } = "";
    public string Address { get; set; } = "";
}

/// <summary>
/// One entry of the holder's audit trail. Only ever inserted (the code has no path that updates or
/// deletes one), one document per entry so parallel attempts never contend on a shared stream.
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string What { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string? Detail { get; set; }
    /// <summary>Who acted when it was not the holder: the RAO operator, with their office.</summary>
    public string? Actor { get; set; }
    public string? Office { get; set; }

    public static AuditEntry Of(string holderId, string what, DateTimeOffset at, string? detail = null) =>
        new() { Id = Guid.CreateVersion7(at), HolderId = holderId, What = what, At = at, Detail = detail };

    public static AuditEntry ByRao(string holderId, string what, DateTimeOffset at, string operatorId, string office, string? detail = null) =>
        new() { Id = Guid.CreateVersion7(at), HolderId = holderId, What = what, At = at, Detail = detail, Actor = operatorId, Office = office };
}

/// <summary>A single-use link token (activation, password reset, recovery e-mail confirmation, the RAO desk's links). Id is the SHA-256 of the token.</summary>
public sealed class AccountToken
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public string Kind { get; set; } = "";
    /// <summary>For an e-mail change: the new address it confirms.</summary>
    public string? NewEmail { get; set; }
    /// <summary>For an OTP reset at the RAO: the new phone waiting for its code.</summary>
    public string? NewMobile { get; set; }
    // Activation between its two steps: the chosen password (hashed), the PIN (sealed by data protection), the OTP challenge.
    public string? PendingPasswordHash { get; set; }
    public string? ProtectedPin { get; set; }
    public Guid? ChallengeId { get; set; }
    /// <summary>Where the pending OTP went (masked), so every later answer of the step can say it again.</summary>
    public string? OtpDestination { get; set; }
    /// <summary>The pending step is confirmed with the holder's passkey, not a code.</summary>
    public bool OtpByPasskey { get; set; }
    /// <summary>How the pending step's code reaches the holder (OtpIssued.Factor), so each answer of the step words itself for it.</summary>
    public string? OtpFactor { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool Used { get; set; }
    /// <summary>The token itself, sealed, until its mail has left (see Mail.AccountLinks); null afterwards.</summary>
    public string? SealedToken { get; set; }
}
