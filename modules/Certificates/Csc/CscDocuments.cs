namespace MySign.Certificates.Csc;

/// <summary>A CSC API access token (bearer). Id is the SHA-256 of the token.</summary>
public sealed class CscToken
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// A Signature Activation Data grant: the holder's key, opened with PIN + OTP, re-encrypted under a key that
/// only the SAD carries. The server alone cannot use it; the SAD alone is useless after its hashes or
/// five minutes. Id is the hex of the SAD's identifier part.
/// </summary>
public sealed class CscAuthorization
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public Guid CredentialId { get; set; }
    public int Remaining { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public List<string>? Hashes { get; set; }
    public byte[] Nonce { get; set; } = [];
    public byte[] Ciphertext { get; set; } = [];
    public byte[] Tag { get; set; } = [];
}

/// <summary>The OTP challenge sent for a credential by sendOTP. Id is "{holder}:{credential}".</summary>
public sealed class CscOtp
{
    public string Id { get; set; } = "";
    public Guid ChallengeId { get; set; }
}
