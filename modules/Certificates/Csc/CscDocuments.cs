namespace MySign.Certificates.Csc;

/// <summary>
/// A CSC API access token (bearer). Id is the SHA-256 of the token. Scope "service" (auth/login, or OAuth scope service) lets
/// its holder list, read and authorize credentials; scope "credential" (OAuth) is itself the authorisation of one credential
/// for the hashes the holder confirmed: its text is a SAD (see <see cref="Custody.SadGrants"/>), and it reaches nothing else.
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

/// <summary>
/// A Signature Activation Data grant: the holder's key as the token wrapped it, opened with PIN + OTP, re-encrypted under
/// a key that only the SAD carries. The server alone cannot use it; the SAD alone is useless after its hashes or five
/// minutes, and both are useless without the token. Id is the hex of the SAD's identifier part.
/// </summary>
public sealed class CscAuthorization
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public Guid CredentialId { get; set; }
    public int Remaining { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>SCAL2: the SHA-256 values (standard base64) this grant may sign, and nothing else.</summary>
    public List<string>? Hashes { get; set; }
    public byte[] Nonce { get; set; } = [];
    public byte[] Ciphertext { get; set; } = [];
    public byte[] Tag { get; set; } = [];
    /// <summary>The token key that wrapped what is sealed; null for a grant made before the HSM (PKCS#8 inside).</summary>
    public string? WrappedBy { get; set; }
}

/// <summary>The OTP challenge sent for a credential by sendOTP. Id is "{holder}:{credential}".</summary>
public sealed class CscOtp
{
    public string Id { get; set; } = "";
    public Guid ChallengeId { get; set; }
}
