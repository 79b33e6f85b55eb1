using System.Text.Json.Serialization;

namespace MySign.RemoteSigning.Csc;

// The request bodies of CSC API v2.0.0.2, spelled as the specification spells them (JSON names are matched without regard to case).

public sealed record CredentialsListRequest(
    [property: JsonPropertyName("userID")] string? UserId,
    [property: JsonPropertyName("credentialInfo")] bool? CredentialInfo,
    [property: JsonPropertyName("certificates")] string? Certificates,
    [property: JsonPropertyName("certInfo")] bool? CertInfo,
    [property: JsonPropertyName("authInfo")] bool? AuthInfo,
    [property: JsonPropertyName("onlyValid")] bool? OnlyValid,
    [property: JsonPropertyName("lang")] string? Lang,
    [property: JsonPropertyName("clientData")] string? ClientData);

public sealed record InfoRequest(
    [property: JsonPropertyName("lang")] string? Lang);

public sealed record CredentialInfoRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("certificates")] string? Certificates,
    [property: JsonPropertyName("certInfo")] bool? CertInfo,
    [property: JsonPropertyName("authInfo")] bool? AuthInfo,
    [property: JsonPropertyName("lang")] string? Lang,
    [property: JsonPropertyName("clientData")] string? ClientData);

public sealed record SendOtpRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("clientData")] string? ClientData);

/// <summary>One authentication object's value in credentials/authorize: {"id": "PIN", "value": "…"}.</summary>
public sealed record AuthDatum(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("value")] string? Value);

public sealed record AuthorizeRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("numSignatures")] int? NumSignatures,
    [property: JsonPropertyName("hashes")] List<string>? Hashes,
    [property: JsonPropertyName("hashAlgorithmOID")] string? HashAlgorithmOid,
    [property: JsonPropertyName("authData")] List<AuthDatum>? AuthData,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("clientData")] string? ClientData)
{
    public string? Value(string id) => AuthData?.FirstOrDefault(a => a is not null && string.Equals(a.Id, id, StringComparison.OrdinalIgnoreCase))?.Value;
}

public sealed record ExtendTransactionRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("hashes")] List<string>? Hashes,
    [property: JsonPropertyName("hashAlgorithmOID")] string? HashAlgorithmOid,
    [property: JsonPropertyName("SAD")] string? Sad,
    [property: JsonPropertyName("clientData")] string? ClientData);

public sealed record SignHashRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("SAD")] string? Sad,
    [property: JsonPropertyName("hashes")] List<string>? Hashes,
    [property: JsonPropertyName("hashAlgorithmOID")] string? HashAlgorithmOid,
    [property: JsonPropertyName("signAlgo")] string? SignAlgo,
    [property: JsonPropertyName("signAlgoParams")] string? SignAlgoParams,
    [property: JsonPropertyName("operationMode")] string? OperationMode,
    [property: JsonPropertyName("clientData")] string? ClientData);

public sealed record SignDocDocument(
    [property: JsonPropertyName("document")] string? Document,
    [property: JsonPropertyName("signature_format")] string? SignatureFormat,
    [property: JsonPropertyName("conformance_level")] string? ConformanceLevel,
    [property: JsonPropertyName("signAlgo")] string? SignAlgo,
    [property: JsonPropertyName("signed_envelope_property")] string? SignedEnvelopeProperty = null);

public sealed record SignDocDigests(
    [property: JsonPropertyName("hashes")] List<string>? Hashes,
    [property: JsonPropertyName("hashAlgorithmOID")] string? HashAlgorithmOid,
    [property: JsonPropertyName("signature_format")] string? SignatureFormat,
    [property: JsonPropertyName("conformance_level")] string? ConformanceLevel,
    [property: JsonPropertyName("signAlgo")] string? SignAlgo,
    [property: JsonPropertyName("signed_envelope_property")] string? SignedEnvelopeProperty = null);

public sealed record SignDocRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("SAD")] string? Sad,
    [property: JsonPropertyName("documents")] List<SignDocDocument>? Documents,
    [property: JsonPropertyName("documentDigests")] List<SignDocDigests>? DocumentDigests);

public sealed record RevokeRequest(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("token_type_hint")] string? TokenTypeHint,
    [property: JsonPropertyName("clientData")] string? ClientData);

/// <summary>CSC's names for a hash: base64 in the body, base64url in OAuth query strings; both are read, and compared as bytes.</summary>
public static class CscHashes
{
    public static byte[]? Decode(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200) return null;
        try { return Convert.FromBase64String(value); }
        catch (FormatException) { }
        try { return System.Buffers.Text.Base64Url.DecodeFromChars(value); }
        catch (FormatException) { return null; }
    }

    /// <summary>The one spelling hashes are stored and compared in (standard base64), or null if it is not a SHA-256 value.</summary>
    public static string? Canonical(string? value) => Decode(value) is { Length: 32 } bytes ? Convert.ToBase64String(bytes) : null;
}
