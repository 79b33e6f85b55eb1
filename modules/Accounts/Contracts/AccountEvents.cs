namespace MySign.Accounts.Contracts;

/// <summary>A holder signed in to the portal (other modules may react, e.g. resume a pending renewal).</summary>
public sealed record HolderSignedIn(string HolderId, DateTimeOffset At);

/// <summary>Checks a holder's User ID and password for client software (CSC API); lockout rules apply as at the portal.</summary>
public sealed record CheckHolderCredentials(string UserId, string Password);

/// <summary>HolderId is set only when the credentials are right.</summary>
public sealed record HolderCredentialsChecked(string? HolderId);
