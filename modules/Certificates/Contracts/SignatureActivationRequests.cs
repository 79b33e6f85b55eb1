namespace MySign.Certificates.Contracts;

// The signature activation module's doors for the modules that sign with a holder's key (RemoteSigning: the CSC API, its
// OAuth consent, Sign a document); GetSigningCredential also tells the RAO desk (Accounts) whether the PIN is blocked. They name the credential and bring the activation (PIN and second factor, or a SAD);
// the key never leaves Certificates (docs/adr/0015, 0021). Every request that carries a PIN is answered inline only.

/// <summary>
/// A holder's signing credential as the modules that sign with it see it: the certificate, whose it is, its status, how
/// many wrong PINs it may still take, and what one authorisation may allow: a remote signature credential binds every SAD
/// to the hashes the holder confirmed (SCAL2), at most <paramref name="MaxSignatures"/> of them; no SAD lives longer than
/// <paramref name="SadLifetime"/>. The signature activation module enforces both itself; an automatic (SCAL1) credential's
/// count is capped by the API that asks. Status is "active", "suspended" or "revoked", as <see cref="CertificateFacts"/> says it.
/// </summary>
public sealed record SigningCredential(string HolderId, Guid CredentialId, byte[] Der, string SerialNumber, string GivenName, string Surname,
    bool Automatic, string Status, DateTimeOffset ExpiresAt, int PinAttemptsLeft, bool BindsHashes, int MaxSignatures, TimeSpan SadLifetime)
{
    /// <summary>The status at <paramref name="now"/>: "expired" once an active or suspended certificate is past its end.</summary>
    public string StatusOn(DateTimeOffset now) => Status is "active" or "suspended" && now >= ExpiresAt ? "expired" : Status;

    public bool ActiveOn(DateTimeOffset now) => StatusOn(now) == "active";
}

/// <summary>The holder's current signing credential, if any. Answered inline with <see cref="SigningCredentialFound"/>.</summary>
public sealed record GetSigningCredential(string HolderId);

public sealed record SigningCredentialFound(SigningCredential? Credential);

/// <summary>The second factor confirming one operation: a code, or a passkey assertion bound to the operation (<paramref name="Binding"/>).</summary>
public sealed record SecondFactor(Guid ChallengeId, string Purpose, string Context, string? Code, string Binding = "")
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"SecondFactor {{ ChallengeId = {ChallengeId}, Purpose = {Purpose}, Context = {Context} }}";
}

/// <summary>
/// Why an activation was refused: the field to show it beside ("code" or "pin"), the message (a key, or the sentence already
/// in the asker's language: a wrong PIN says how many attempts are left), and whether the PIN is now blocked. "credential"
/// means the credential named is no longer the holder's active one; "request", that it asks more than the credential allows.
/// </summary>
public sealed record ActivationRefused(string Field, string ErrorKey, bool PinBlocked = false);

/// <summary>
/// CSC credentials/authorize and the OAuth consent: the second factor first, then the PIN, give a grant of
/// <paramref name="Signatures"/> (bound to <paramref name="Hashes"/> for SCAL2, canonical base64 SHA-256) until
/// <paramref name="ExpiresAt"/>. <paramref name="Door"/> names the caller in the activation audit. Carries the PIN.
/// </summary>
public sealed record AuthorizeSignatures(string HolderId, Guid CredentialId, string Pin, SecondFactor Factor, AuthorizationDoor Door, int Signatures,
    List<string>? Hashes, DateTimeOffset ExpiresAt)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"AuthorizeSignatures {{ HolderId = {HolderId}, CredentialId = {CredentialId}, Door = {Door}, Signatures = {Signatures} }}";
}

/// <summary>Where a SAD is asked for: the CSC API's credentials/authorize, or the portal's OAuth consent page.</summary>
public enum AuthorizationDoor { CscAuthorize, OAuthConsent }

/// <summary>The SAD (and the grant it names), or why not.</summary>
public sealed record SignaturesAuthorized(string? Sad, string? GrantId, DateTimeOffset ExpiresAt, ActivationRefused? Refused)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"SignaturesAuthorized {{ GrantId = {GrantId}, ExpiresAt = {ExpiresAt}, Refused = {Refused} }}";
}

/// <summary>Sign a document in the portal: the PIN, then the second factor, then ECDSA over each of <paramref name="Hashes"/>. Carries the PIN.</summary>
public sealed record SignWithPin(string HolderId, Guid CredentialId, string Pin, SecondFactor Factor, IReadOnlyList<byte[]> Hashes)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"SignWithPin {{ HolderId = {HolderId}, CredentialId = {CredentialId} }}";
}

/// <summary>The DER signatures, one per hash, or why not.</summary>
public sealed record SignedWithPin(IReadOnlyList<byte[]>? Signatures, ActivationRefused? Refused);

/// <summary>signatures/signHash: the SAD is spent for <paramref name="Hashes"/> (canonical base64 SHA-256), which the key signs. The same call again answers the same signatures.</summary>
public sealed record SignHashesWithSad(string HolderId, Guid CredentialId, string? Sad, IReadOnlyList<string> Hashes)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"SignHashesWithSad {{ HolderId = {HolderId}, CredentialId = {CredentialId} }}";
}

/// <summary>
/// signatures/signDoc: the SAD is spent for the documents' hashes (<paramref name="Authorized"/>, what the holder authorised), and
/// the key signs <paramref name="Digests"/>, for each document the hash of the signed attributes that carry its digest.
/// </summary>
public sealed record SignDocumentsWithSad(string HolderId, Guid CredentialId, string? Sad, IReadOnlyList<string> Authorized, string Method, IReadOnlyList<byte[]> Digests)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"SignDocumentsWithSad {{ HolderId = {HolderId}, CredentialId = {CredentialId}, Method = {Method} }}";
}

/// <summary>
/// What a SAD-activated call came to: a refusal (as CSC words it), or the DER signatures and the ids History files them under
/// (the same for a replay of the same call, so History files it once).
/// </summary>
public sealed record SadSignatures(string? Refusal, IReadOnlyList<byte[]> Signatures, IReadOnlyList<Guid> SignatureIds);

/// <summary>credentials/extendTransaction: what is left of the grant under a new SAD living <paramref name="Lifetime"/>.</summary>
public sealed record ExtendSad(string HolderId, Guid CredentialId, string? Sad, TimeSpan Lifetime)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"ExtendSad {{ HolderId = {HolderId}, CredentialId = {CredentialId} }}";
}

public sealed record SadExtended(string? Sad, DateTimeOffset ExpiresAt, string? Refusal)
{
    /// <summary>Never the secret it carries: Wolverine logs a message whole when its handler fails.</summary>
    public override string ToString() => $"SadExtended {{ ExpiresAt = {ExpiresAt}, Refusal = {Refusal} }}";
}

/// <summary>A SAD's grant ends now (its token was revoked, or its code used twice): nothing more is signed with it.</summary>
public sealed record EndSadGrant(string GrantId);
