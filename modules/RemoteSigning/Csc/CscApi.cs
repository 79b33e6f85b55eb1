using System.Security.Cryptography;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Contracts;
using MySign.History.Contracts;
using Wolverine;
using Wolverine.Marten;

namespace MySign.RemoteSigning.Csc;

/// <summary>
/// Cloud Signature Consortium API v2.0.0.2, as its specification spells it: info; auth/login (HTTP Basic with the holder's
/// User ID and password → service token) and auth/revoke; OAuth 2.0 (see <see cref="OAuthEndpoints"/>); credentials/list,
/// info, sendOTP, authorize (authData PIN + OTP → SAD), extendTransaction; signatures/signHash (ECDSA P-256 over SHA-256,
/// signAlgo required) and signDoc (PAdES or CAdES, B-B or B-T). A remote-signature credential is SCAL2: its SAD is bound to
/// the hashes the holder authorised and their count. Errors are {"error", "error_description"}. A call's signatures are
/// announced as one SignaturesMade (History files them at once).
/// Each method is one slice below: <c>LoadAsync</c> reads the caller's token, the body and the credential it names,
/// <c>Validate</c> answers the CSC error that ends the call, and <c>Post</c> asks <see cref="CscRules"/> and acts. This
/// class keeps what they share: the constants, tokens, and the shape of answers and errors.
/// </summary>
public static class CscApi
{
    public const string Specs = "2.0.0.2";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string OtpPurpose = "csc.authorize";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    /// <summary>A request body: room for a full automatic batch of base64 hashes, no more.</summary>
    public const int MaxBody = 16 * 1024 * 1024;

    public static readonly string[] Methods =
    [
        "info", "auth/login", "auth/revoke", "oauth2/authorize", "oauth2/token", "oauth2/revoke", "credentials/list", "credentials/info",
        "credentials/sendOTP", "credentials/authorize", "credentials/extendTransaction", "signatures/signHash", "signatures/signDoc",
    ];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>CSC names are written as the spec spells them (SAD, credentialIDs, SCAL), not camel-cased.</summary>
    private static readonly JsonSerializerOptions Output = new() { PropertyNamingPolicy = null };

    /// <summary>How a passkey holder's credential is authorised: only in the portal's consent page (OAuth), never with authData.</summary>
    public const string UseOAuth = "The holder confirms with a passkey: authorise this credential with the OAuth 2.0 authorization code flow (scope credential)";

    /// <summary>How History files a credential's signatures: an automatic credential's, or the API's.</summary>
    public static SignatureChannel Channel(SigningCredential certificate) => CscRules.Automatic(certificate) ? SignatureChannel.Automatic : SignatureChannel.Api;

    /// <summary>
    /// A new bearer token, not yet stored: its text, the document that holds its hash, and its seconds to live. A credential
    /// token's text is the SAD it opens (<paramref name="grant"/> names the SAD's grant).
    /// </summary>
    public static (string Token, CscToken Stored, int ExpiresIn) NewToken(string holder, string scope, string? client, Guid? credential, string? sad,
        string? grant, DateTimeOffset expiresAt, TimeProvider clock)
    {
        var token = sad ?? System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var stored = new CscToken
        {
            Id = Hash(token), HolderId = holder, ExpiresAt = expiresAt, Scope = scope, ClientId = client, CredentialId = credential, GrantId = sad is null ? null : grant,
        };
        return (token, stored, (int)Math.Max(0, (expiresAt - clock.GetUtcNow()).TotalSeconds));
    }

    /// <summary>
    /// Ends a token now, and first the SAD grant a credential token carries (the signature activation module's): a grant
    /// never outlives its token, even when the token's delete fails.
    /// </summary>
    public static async Task<IMartenOp> EndAsync(CscToken? token, IMessageBus bus, CancellationToken cancellation)
    {
        if (token is null) return MartenOps.Nothing();
        if (token.GrantId is { } grant) await bus.InvokeAsync(new EndSadGrant(grant), cancellation);
        return MartenOps.Delete(token);
    }

    /// <summary>Who calls: the valid token presented as "Authorization: Bearer", and the token's text (a credential token is a SAD).</summary>
    public sealed record CscCaller(string HolderId, string Scope, Guid? CredentialId, string Raw)
    {
        /// <summary>The SAD of a signing call: the one in the body, or else the credential token itself (OAuth scope "credential").</summary>
        public string? Sad(string? fromBody) => !string.IsNullOrEmpty(fromBody) ? fromBody : Scope == CscToken.CredentialScope ? Raw : null;
    }

    public static async Task<CscCaller?> CallerAsync(HttpContext context, IQuerySession session, TimeProvider clock)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 200) return null;
        var raw = header[7..].Trim();
        var token = await session.LoadAsync<CscToken>(Hash(raw), context.RequestAborted);
        return token is not null && token.ExpiresAt > clock.GetUtcNow() ? new CscCaller(token.HolderId, token.Scope, token.CredentialId, raw) : null;
    }

    public static async Task<(T? Body, IResult? Error)> BodyAsync<T>(HttpContext context, bool allowEmpty = false)
    {
        var bytes = await Kernel.Web.RequestBody.ReadAsync(context.Request, MaxBody, context.RequestAborted);
        if (bytes is null) return (default, Error("invalid_request", $"The body is larger than {MaxBody / (1024 * 1024)} MiB", 413));
        if (bytes.Length == 0 && allowEmpty) return (default, null);
        // PostgreSQL stores no NUL in text: refused before any parameter is read, as the host refuses it in forms and queries.
        if (bytes.AsSpan().IndexOf("\\u0000"u8) >= 0) return (default, Error("invalid_request", "The body contains a NUL character (\\u0000), which no parameter accepts"));
        try
        {
            var body = JsonSerializer.Deserialize<T>(bytes, Json);
            return body is null ? (default, Error("invalid_request", "The body must be a JSON object")) : (body, null);
        }
        // A well-formed body with a value of the wrong type names that parameter; only bytes that are not JSON are "not valid JSON".
        catch (JsonException e) when (e.Path is { Length: > 1 } path && IsJson(bytes))
        {
            return (default, Error("invalid_request", $"Invalid type for parameter {path.TrimStart('$', '.')}"));
        }
        catch (JsonException) { return (default, Error("invalid_request", "The body is not valid JSON")); }
    }

    public static byte[]? Decode(string? value)
    {
        try { return Convert.FromBase64String(value ?? ""); }
        catch (FormatException) { return null; }
    }

    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static readonly JsonSerializerOptions OutputWithoutNulls = new() { PropertyNamingPolicy = null, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Every answer carries Pragma: no-cache beside the Cache-Control: no-store of every POST (RFC 6749 §5.1 for tokens and SADs).</summary>
    public static IResult Answer(object body, bool omitNulls = false) =>
        new WithHeaders(Results.Json(body, omitNulls ? OutputWithoutNulls : Output), ("Pragma", "no-cache"));

    public static IResult InvalidToken() => Error("invalid_token", "Missing, invalid, expired or revoked access token", 401);

    /// <summary>The challenge of a 401 from the password doors (auth/login, the token endpoint's client): HTTP Basic.</summary>
    public const string BasicChallenge = "Basic realm=\"MySign CSC API\", charset=\"UTF-8\"";

    /// <summary>A valid token of the wrong scope (RFC 6750 §3.1): the scope the method needs, with a 403.</summary>
    public const string ServiceScopeChallenge = "Bearer realm=\"MySign CSC API\", error=\"insufficient_scope\", scope=\"service\"";

    /// <summary>
    /// A CSC error; every 401 says how to authenticate (WWW-Authenticate: Bearer for tokens, unless a challenge is given),
    /// and a 403 with a challenge names the scope that was missing.
    /// </summary>
    public static IResult Error(string error, string description, int status = 400, string? challenge = null)
    {
        var answer = Results.Json(new { error, error_description = description }, Output, statusCode: status);
        return status == 401 || (status == 403 && challenge is not null)
            ? new WithHeaders(answer, ("WWW-Authenticate", challenge ?? $"Bearer realm=\"MySign CSC API\", error=\"{error}\""), ("Pragma", "no-cache"))
            : new WithHeaders(answer, ("Pragma", "no-cache"));
    }

    private static bool IsJson(byte[] bytes)
    {
        try { using var _ = JsonDocument.Parse(bytes); return true; }
        catch (JsonException) { return false; }
    }

    /// <summary>An answer with headers of its own.</summary>
    public sealed class WithHeaders(IResult inner, params (string Name, string Value)[] headers) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            return inner.ExecuteAsync(context);
        }
    }
}
