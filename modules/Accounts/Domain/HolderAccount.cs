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

    public string DisplayName => $"{FirstName} {LastName}";
}

/// <summary>An operator at a partner office (Registration Authority Officer).</summary>
public sealed class RaoOperator
{
    public string Id { get; set; } = "";
    public string Office { get; set; } = "";
    public string FullName { get; set; } = "";
    public string PasswordHash { get; set; } = "";
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

    public static AuditEntry Of(string holderId, string what, DateTimeOffset at, string? detail = null) =>
        new() { Id = Guid.CreateVersion7(at), HolderId = holderId, What = what, At = at, Detail = detail };
}

/// <summary>A single-use link token (password reset, recovery e-mail confirmation). Id is the SHA-256 of the token.</summary>
public sealed class AccountToken
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public string Kind { get; set; } = "";
    /// <summary>For an e-mail change: the new address it confirms.</summary>
    public string? NewEmail { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool Used { get; set; }
}
