namespace MySign.RemoteSigning.Csc;

/// <summary>
/// A CSC API access token (bearer). Id is the SHA-256 of the token. Scope "service" (auth/login, or OAuth scope service) lets
/// its holder list, read and authorize credentials; scope "credential" (OAuth) is itself the authorisation of one credential
/// for the hashes the holder confirmed: its text is a SAD (the signature activation module's, in Certificates), and it reaches nothing else.
/// </summary>
public sealed class CscToken
{
    public const string ServiceScope = "service";
    public const string CredentialScope = "credential";

    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
    public string Scope { get; set; } = ServiceScope;
    /// <summary>The OAuth client it was issued to; null for auth/login.</summary>
    public string? ClientId { get; set; }
    /// <summary>For scope credential: the credential, and the SAD grant the token opens.</summary>
    public Guid? CredentialId { get; set; }
    public string? GrantId { get; set; }
}

/// <summary>The OTP challenge sent for a credential by sendOTP. Id is "{holder}:{credential}".</summary>
public sealed class CscOtp
{
    public string Id { get; set; } = "";
    public Guid ChallengeId { get; set; }
}
