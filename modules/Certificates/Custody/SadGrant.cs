namespace MySign.Certificates.Custody;

/// <summary>
/// A Signature Activation Data grant: the holder's key as the token wrapped it, opened with PIN + OTP, re-encrypted under
/// a key that only the SAD carries. The server alone cannot use it; the SAD alone is useless after its hashes or five
/// minutes, and both are useless without the token. Id is the hex of the SAD's identifier part. Still named after the CSC
/// call that first made one: the name is its table's (certificates.mt_doc_cscauthorization), which deployments already hold.
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
