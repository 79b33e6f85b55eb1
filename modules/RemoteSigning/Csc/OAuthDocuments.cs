namespace MySign.RemoteSigning.Csc;

/// <summary>A signing application allowed to use OAuth 2.0 (registered with `csc-client-add`). Id is its client_id.</summary>
public sealed class OAuthClient
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>Where codes may be sent: compared to redirect_uri character for character.</summary>
    public List<string> RedirectUris { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// An authorisation request the holder is looking at: what the client asked for, checked, kept between the consent page's
/// steps (review → PIN + OTP) for ten minutes. Id is random and the page's only handle; it belongs to one holder.
/// </summary>
public sealed class OAuthRequest : Kernel.Documents.IHolderOwned
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string ClientName { get; set; } = "";
    public string RedirectUri { get; set; } = "";
    public string? State { get; set; }
    public string CodeChallenge { get; set; } = "";
    public string Scope { get; set; } = "";
    public Guid? CredentialId { get; set; }
    public int NumSignatures { get; set; }
    /// <summary>SHA-256 values, standard base64, in the order asked; with the client's labels where it gave some.</summary>
    public List<string>? Hashes { get; set; }
    public List<string?>? Labels { get; set; }
    /// <summary>The holder confirms with a passkey: its assertion commits to <see cref="Binding"/>.</summary>
    public bool ByPasskey { get; set; }
    /// <summary>How the OTP reaches the holder (OtpIssued.Factor) and where an SMS went, so every answer of the step words itself for it.</summary>
    public string? Factor { get; set; }
    public string? Destination { get; set; }

    /// <summary>What the holder's passkey confirms: the hashes shown (or, without hashes, how many signatures).</summary>
    public string Binding => Hashes is { Count: > 0 } hashes
        ? Otp.Contracts.VerifyOtp.BindingFor(hashes.Select(Convert.FromBase64String).ToList())
        : NumSignatures + ":";
    public string? Description { get; set; }
    public Guid? ChallengeId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>The authorization_details the client sent (RFC 9396), echoed in the token response.</summary>
    public string? AuthorizationDetails { get; set; }
}

/// <summary>
/// An authorisation code: single use, 60 seconds, for one client and redirect URI, PKCE S256. Id is the code's SHA-256.
/// A credential code carries the SAD the holder made on the consent page, encrypted under a key derived from the code
/// itself, so the database alone holds nothing usable. Redeemed codes stay until they expire: a second use of one
/// ends the token the first use got.
/// </summary>
public sealed class OAuthCode
{
    public string Id { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string RedirectUri { get; set; } = "";
    public string CodeChallenge { get; set; } = "";
    public string HolderId { get; set; } = "";
    public string Scope { get; set; } = "";
    public Guid? CredentialId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset TokenExpiresAt { get; set; }
    public byte[]? Nonce { get; set; }
    public byte[]? SealedSad { get; set; }
    public byte[]? Tag { get; set; }
    /// <summary>The grant the sealed SAD names (the signature activation module's), kept with the token so ending the token ends it.</summary>
    public string? GrantId { get; set; }
    public bool Redeemed { get; set; }
    public string? TokenId { get; set; }
    /// <summary>The authorization_details of the request, for the token response (RFC 9396 §7).</summary>
    public string? AuthorizationDetails { get; set; }
}
