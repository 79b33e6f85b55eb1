using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.Extensions.Configuration;
using MySign.Kernel.Web;
using MySign.Otp.Challenges;

namespace MySign.Otp.Passkeys;

/// <summary>A holder's passkey (WebAuthn credential). Id is the credential id, base64url. Only the public key is kept.</summary>
public sealed class PasskeyCredential
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public string Name { get; set; } = "";
    public byte[] PublicKey { get; set; } = [];
    public byte[] UserHandle { get; set; } = [];
    public uint SignCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>A passkey being created: the options the browser was given, until the holder confirms (one per holder).</summary>
public sealed class PasskeyRegistration
{
    public string Id { get; set; } = "";
    public string OptionsJson { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// The portal as a WebAuthn relying party. The RP ID is the host of the portal's public address (Passkeys:RpId
/// overrides it); browsers refuse an IP address as RP ID, so a portal reached on a loopback address (`make run`)
/// uses "localhost" and accepts both origins. Every assertion challenge is derived, never random alone: it commits to
/// the OTP challenge (its nonce, id, holder, purpose, context) and to the binding of what is about to be done.
/// </summary>
public sealed class RelyingParty
{
    public const string Name = "MySign";
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    public string RpId { get; }
    public IReadOnlySet<string> Origins { get; }

    public RelyingParty(PortalUrl portal, IConfiguration configuration)
    {
        var baseUri = new Uri(portal.Base);
        var loopback = System.Net.IPAddress.TryParse(baseUri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip);
        RpId = configuration["Passkeys:RpId"] is { Length: > 0 } configured ? configured : loopback ? "localhost" : baseUri.Host;
        var origins = new HashSet<string>(StringComparer.Ordinal) { baseUri.GetLeftPart(UriPartial.Authority) };
        if (loopback) origins.Add(new UriBuilder(baseUri) { Host = "localhost" }.Uri.GetLeftPart(UriPartial.Authority));
        foreach (var extra in (configuration["Passkeys:Origins"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            origins.Add(extra.TrimEnd('/'));
        Origins = origins;
    }

    public Fido2 Fido() => new(new Fido2Configuration
    {
        RPID = RpId, RPName = Name, Origins = Origins.ToHashSet(), Timeout = (uint)Timeout.TotalMilliseconds,
    }, null!);

    /// <summary>The text before the binding, which the browser completes and hashes (the same in app.js).</summary>
    public static string ChallengePrefix(OtpChallenge challenge) =>
        $"mysign-passkey/1|{challenge.Nonce}|{challenge.Id:N}|{challenge.HolderId}|{challenge.Purpose}|{challenge.Context}|";

    public static byte[] Challenge(OtpChallenge challenge, string binding) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(ChallengePrefix(challenge) + binding));

    public AssertionOptions AssertionOptions(byte[] challenge, IEnumerable<PasskeyCredential> allowed) => new()
    {
        Challenge = challenge, RpId = RpId, Timeout = (ulong)Timeout.TotalMilliseconds, UserVerification = UserVerificationRequirement.Preferred,
        AllowCredentials = allowed.Select(c => new PublicKeyCredentialDescriptor(Base64Url.Decode(c.Id))).ToList(),
    };

    /// <summary>What Fido2 and the decoders throw for a response that does not verify (a refusal, never a server error).</summary>
    public static bool Refused(Exception e) => e is Fido2VerificationException or FormatException or ArgumentException or InvalidOperationException
        or CryptographicException or System.Formats.Cbor.CborContentException;

    /// <summary>The browser's assertion as posted in the code field, or null when it is not one.</summary>
    public static AuthenticatorAssertionRawResponse? ParseAssertion(string? json)
    {
        if (json is not { Length: > 2 and < 16_384 } || json[0] != '{') return null;
        try { return JsonSerializer.Deserialize<AuthenticatorAssertionRawResponse>(json); }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException) { return null; }
    }

    public static AuthenticatorAttestationRawResponse? ParseAttestation(string? json)
    {
        if (json is not { Length: > 2 and < 65_536 } || json[0] != '{') return null;
        try { return JsonSerializer.Deserialize<AuthenticatorAttestationRawResponse>(json); }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException) { return null; }
    }
}

/// <summary>base64url without padding (WebAuthn's encoding of credential ids).</summary>
public static class Base64Url
{
    public static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Decode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}
