using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Certificates.Contracts;
using MySign.Kernel.Documents;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace MySign.RemoteSigning.Csc;

public sealed record ConsentItem(string Label, string Hash);

public sealed record ConsentView(string Step, Guid? RequestId, string? ClientName, string? Scope, int Count, IReadOnlyList<ConsentItem> Items,
    string? Description, string? Destination, string? ErrorKey, string? Field, string? Passkey = null, string? Binding = null, string? Factor = null);

/// <summary>
/// OAuth 2.0 for CSC clients (RFC 6749 authorisation code + RFC 7636 PKCE S256, as CSC API v2 §8 profiles it). The client
/// sends the holder to oauth2/authorize; the holder signs in to the portal (or already is), reads who asks for what —
/// the client's name, how many documents, their labels and hashes — and, for scope "credential", confirms with PIN and
/// OTP; the browser returns to the exact registered redirect URI with a single-use, 60-second code and the state. At
/// oauth2/token the code and the PKCE verifier buy an access token: scope "service" (like auth/login) or scope
/// "credential", which signs exactly the hashes shown and nothing else.
/// </summary>
public static class OAuthEndpoints
{
    public const string Purpose = "csc.oauth";
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan RequestLifetime = TimeSpan.FromMinutes(10);

    [WolverineGet("/csc/v2/oauth2/authorize"), AllowAnonymous]
    public static async Task<IResult> Authorize(HttpContext context, IDocumentSession session, IMessageBus bus, PortalUrl portal, TimeProvider clock)
    {
        var query = context.Request.Query;
        string? One(string name) => query[name].Count == 1 ? query[name].ToString() : null;
        var clientId = One("client_id");
        var redirectUri = One("redirect_uri");
        var client = clientId is { Length: <= 100 } ? await session.LoadAsync<OAuthClient>(clientId, context.RequestAborted) : null;
        // Without a known client and its exact redirect URI nothing is sent anywhere: the holder reads why, here.
        if (client is null) return Failure("oauth.error.client");
        if (redirectUri is null || !client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal)) return Failure("oauth.error.redirect");
        var state = One("state");
        IResult Back(string error, string description) => RedirectBack(redirectUri, state, portal, ("error", error), ("error_description", description));

        if (One("response_type") != "code") return Back("unsupported_response_type", "response_type must be code");
        if (One("code_challenge_method") != "S256") return Back("invalid_request", "PKCE is required: code_challenge_method must be S256");
        var challenge = One("code_challenge");
        if (challenge is not { Length: 43 } || !challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return Back("invalid_request", "code_challenge must be a base64url SHA-256");
        if (state is { Length: > 500 }) return Back("invalid_request", "state is too long");
        var (asked, problem) = Parse(query);
        if (problem is not null) return Back(asked is null ? "invalid_scope" : "invalid_request", problem);

        if (!context.User.IsInRole(Holder.HolderRole))
            return Results.Redirect(Accounts.Contracts.AccountPages.SignIn + "?next=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
        var holder = context.HolderId();
        var now = clock.GetUtcNow();
        if (asked!.Scope == CscToken.CredentialScope)
        {
            var certificate = (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(holder), context.RequestAborted)).Credential;
            if (certificate is null || certificate.CredentialId != asked.CredentialId) return Back("invalid_request", "Invalid parameter credentialID");
            if (asked.NumSignatures > CscRules.Limit(certificate)) return Back("invalid_request", $"numSignatures must be at most {CscRules.Limit(certificate)}");
            if (asked.Hashes is null && CscRules.Scal(certificate) == "2") return Back("invalid_request", "Missing parameter hashes: this credential is SCAL2");
            if (!certificate.ActiveOn(now)) return Back("invalid_request", "The credential is not active");
        }
        var request = new OAuthRequest
        {
            Id = Guid.CreateVersion7(now), HolderId = holder, ClientId = client.Id, ClientName = client.Name, RedirectUri = redirectUri, State = state,
            CodeChallenge = challenge, Scope = asked.Scope, CredentialId = asked.CredentialId, NumSignatures = asked.NumSignatures, Hashes = asked.Hashes,
            Labels = asked.Labels, Description = asked.Description, ExpiresAt = now + RequestLifetime,
            AuthorizationDetails = query["authorization_details"].ToString() is { Length: > 0 } details ? details : null,
        };
        session.DeleteWhere<OAuthRequest>(r => r.HolderId == holder && r.ExpiresAt < now);
        session.Insert(request);
        return Page(context, request, "review");
    }

    private sealed record Asked(string Scope, Guid? CredentialId, int NumSignatures, List<string>? Hashes, List<string?>? Labels, string? Description);

    /// <summary>What the client asks for: scope "service", or a credential by scope "credential" + parameters or by authorization_details.</summary>
    private static (Asked? Asked, string? Problem) Parse(IQueryCollection query)
    {
        var scope = query["scope"].ToString();
        var details = query["authorization_details"].ToString();
        var description = query["description"].ToString() is { Length: > 0 and <= 500 } d ? d : null;
        if (details.Length > 0)
        {
            try
            {
                using var json = JsonDocument.Parse(details);
                var items = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement.EnumerateArray().ToList() : [json.RootElement];
                if (items.Count != 1 || !items[0].TryGetProperty("type", out var type) || type.GetString() != "credential")
                    return (null, "authorization_details must hold one item of type credential");
                var item = items[0];
                var credential = item.TryGetProperty("credentialID", out var c) ? c.GetString() : null;
                var digests = item.TryGetProperty("documentDigests", out var dd) && dd.ValueKind == JsonValueKind.Array ? dd.EnumerateArray().ToList() : [];
                var hashes = digests.Select(x => CscHashes.Canonical(x.TryGetProperty("hash", out var h) ? h.GetString() : null)).ToList();
                var labels = digests.Select(x => x.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? Clip(l.GetString()) : null).ToList();
                var algorithm = item.TryGetProperty("hashAlgorithmOID", out var a) ? a.GetString() : null;
                var count = item.TryGetProperty("numSignatures", out var n) && n.TryGetInt32(out var parsed) ? parsed : hashes.Count;
                return Credential(credential, count, digests.Count == 0 ? null : hashes, labels, algorithm, description);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return (new Asked("", null, 0, null, null, null), "authorization_details is not valid JSON");
            }
        }
        return scope switch
        {
            CscToken.ServiceScope => (new Asked(CscToken.ServiceScope, null, 0, null, null, description), null),
            CscToken.CredentialScope => Credential(query["credentialID"].ToString(),
                int.TryParse(query["numSignatures"].ToString(), out var count) ? count : 0,
                query["hashes"].ToString() is { Length: > 0 } list ? list.Split(',').Select(CscHashes.Canonical).ToList() : null, null,
                query["hashAlgorithmOID"].ToString() is { Length: > 0 } oid ? oid : null, description),
            _ => (null, "scope must be service or credential"),
        };
    }

    private static (Asked?, string?) Credential(string? credential, int count, List<string?>? hashes, List<string?>? labels, string? algorithm, string? description)
    {
        var invalid = new Asked("", null, 0, null, null, null);
        if (!Guid.TryParse(credential, out var id)) return (invalid, "Missing (or invalid) parameter credentialID");
        if (count < 1) return (invalid, "numSignatures must be a positive number");
        if (algorithm is not (null or CscApi.Sha256)) return (invalid, "Invalid parameter hashAlgorithmOID: only SHA-256 is supported");
        if (hashes is not null && (hashes.Count != count || hashes.Any(h => h is null))) return (invalid, "hashes must be numSignatures base64url SHA-256 values");
        if (hashes is not null && hashes.Count > 100) return (invalid, "At most 100 hashes can be shown to the holder");
        return (new Asked(CscToken.CredentialScope, id, count, hashes?.Select(h => h!).ToList(), labels, description), null);
    }

    private static string? Clip(string? label) => label is null ? null : label.Length > 120 ? label[..120] + "…" : label;

    /// <summary>Credential scope: the OTP for this very request (its context is the request id, so it confirms nothing else).</summary>
    [WolverinePost("/csc/v2/oauth2/authorize/{id}/otp")]
    public static async Task<IResult> SendOtp(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var request = await Open(session, id, context, clock);
        if (request is null) return Results.NotFound();
        if (request.Scope != CscToken.CredentialScope) return Page(context, request, "review", StatusCodes.Status409Conflict);
        // A credential that cannot sign now (inactive, or its PIN blocked) gets no code: no SMS goes out for nothing.
        var certificate = (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(request.HolderId), context.RequestAborted)).Credential;
        if (certificate is null || certificate.CredentialId != request.CredentialId || !certificate.ActiveOn(clock.GetUtcNow()))
            return Page(context, request, "review", StatusCodes.Status422UnprocessableEntity, "oauth.error.inactive");
        if (certificate.PinAttemptsLeft == 0) return Page(context, request, "review", StatusCodes.Status422UnprocessableEntity, "sign.error.pin_blocked", "pin");
        var issued = await bus.SendOtpAsync(request.HolderId, Purpose, request.Id.ToString(), context.RequestAborted);
        if (issued.Throttled)
        {
            context.Response.Headers.RetryAfter = issued.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page(context, request, "review", StatusCodes.Status429TooManyRequests, issued.Wait);
        }
        request.ChallengeId = issued.ChallengeId;
        request.ByPasskey = issued.Passkey is not null;
        request.Factor = issued.Factor;
        request.Destination = issued.Destination;
        session.Store(request);
        return Page(context, request, "confirm");
    }

    public sealed record ConsentForm(string? Pin, string? Code);

    /// <summary>The holder allows: for a credential, after the OTP and then the PIN (the OTP first, so a session alone cannot probe PINs).</summary>
    [WolverinePost("/csc/v2/oauth2/authorize/{id}")]
    public static async Task<IResult> Allow(Guid id, [FromForm] ConsentForm form, HttpContext context, IDocumentSession session, IMessageBus bus,
        PortalUrl portal, TimeProvider clock)
    {
        var request = await Open(session, id, context, clock);
        if (request is null) return Results.NotFound();
        var now = clock.GetUtcNow();
        var code = RandomNumberGenerator.GetBytes(32);
        var issued = new OAuthCode
        {
            Id = CscApi.Hash(System.Buffers.Text.Base64Url.EncodeToString(code)), ClientId = request.ClientId, RedirectUri = request.RedirectUri,
            CodeChallenge = request.CodeChallenge, HolderId = request.HolderId, Scope = request.Scope, CredentialId = request.CredentialId,
            ExpiresAt = now + CodeLifetime, TokenExpiresAt = now + CscApi.TokenLifetime, AuthorizationDetails = request.AuthorizationDetails,
        };
        if (request.Scope == CscToken.CredentialScope)
        {
            if (request.ChallengeId is not { } challenge) return Page(context, request, "review", StatusCodes.Status409Conflict);
            var certificate = (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(request.HolderId), context.RequestAborted)).Credential;
            if (certificate is null || certificate.CredentialId != request.CredentialId || !certificate.ActiveOn(now))
                return Page(context, request, "review", StatusCodes.Status422UnprocessableEntity, "oauth.error.inactive");
            // The signature activation module checks the OTP (or the passkey, bound to the hashes shown) first, then the PIN.
            var otp = new SecondFactor(challenge, Purpose, request.Id.ToString(), form.Code, request.Binding);
            var authorized = await bus.InvokeAsync<SignaturesAuthorized>(new AuthorizeSignatures(request.HolderId, certificate.CredentialId, form.Pin ?? "", otp,
                AuthorizationDoor.OAuthConsent, request.NumSignatures, request.Hashes, now + CscRules.Lifetime(certificate)), context.RequestAborted);
            switch (authorized.Refused)
            {
                case { Field: "code" } refused:
                    return Page(context, request, "confirm", StatusCodes.Status422UnprocessableEntity, refused.ErrorKey, "code");
                case { Field: "pin" } refused:
                    // The OTP is spent: a new one is needed for another try.
                    request.ChallengeId = null;
                    session.Store(request);
                    return Page(context, request, "review", StatusCodes.Status422UnprocessableEntity, refused.ErrorKey, "pin");
                case not null:
                    return Page(context, request, "review", StatusCodes.Status422UnprocessableEntity, "oauth.error.inactive");
            }
            issued.GrantId = authorized.GrantId;
            issued.TokenExpiresAt = authorized.ExpiresAt;
            issued.Nonce = RandomNumberGenerator.GetBytes(12);
            issued.Tag = new byte[16];
            var plain = Encoding.ASCII.GetBytes(authorized.Sad!);
            issued.SealedSad = new byte[plain.Length];
            using (var aes = new AesGcm(CodeKey(code), 16)) aes.Encrypt(issued.Nonce, plain, issued.SealedSad, issued.Tag);
        }
        session.Insert(issued);
        session.Delete(request);
        return RedirectBack(request.RedirectUri, request.State, portal, ("code", System.Buffers.Text.Base64Url.EncodeToString(code)));
    }

    [WolverinePost("/csc/v2/oauth2/authorize/{id}/deny")]
    public static async Task<IResult> Deny(Guid id, HttpContext context, IDocumentSession session, PortalUrl portal, TimeProvider clock)
    {
        var request = await Open(session, id, context, clock);
        if (request is null) return Results.NotFound();
        session.Delete(request);
        return RedirectBack(request.RedirectUri, request.State, portal, ("error", "access_denied"), ("error_description", "The holder did not allow it"));
    }

    /// <summary>RFC 7009: the client ends a token it was given; an unknown token, or another client's, changes nothing and reads the same.</summary>
    [WolverinePost("/csc/v2/oauth2/revoke"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> RevokeToken(HttpContext context, IDocumentSession session, IMessageBus bus)
    {
        if (!context.Request.HasFormContentType) return TokenError("invalid_request", "The body must be application/x-www-form-urlencoded");
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var token = form["token"].ToString();
        var clientId = form["client_id"].ToString();
        if (token.Length == 0 || clientId.Length == 0) return TokenError("invalid_request", "token and client_id are required");
        if (token.Length <= 200 && await session.LoadAsync<CscToken>(CscApi.Hash(token), context.RequestAborted) is { } found && found.ClientId == clientId)
            (await CscApi.EndAsync(found, bus, context.RequestAborted)).Execute(session);
        return Results.Ok();
    }

    internal static IResult TokenError(string error, string description) =>
        CscApi.Error(error, description, error == "invalid_client" ? 401 : 400, error == "invalid_client" ? CscApi.BasicChallenge : null);

    /// <summary>
    /// RFC 8414 authorization server metadata: what a generic OAuth client needs to configure itself (oauth4webapi's
    /// discovery, for one). The issuer is the portal's public address, as info's oauth2Issuer and RFC 9207's iss say.
    /// </summary>
    [WolverineGet("/.well-known/oauth-authorization-server"), AllowAnonymous]
    public static IResult Metadata(PortalUrl portal) => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = portal.Base,
        ["authorization_endpoint"] = portal.For("/csc/v2/oauth2/authorize"),
        ["token_endpoint"] = portal.For("/csc/v2/oauth2/token"),
        ["revocation_endpoint"] = portal.For("/csc/v2/oauth2/revoke"),
        ["response_types_supported"] = new[] { "code" },
        ["response_modes_supported"] = new[] { "query" },
        ["grant_types_supported"] = new[] { "authorization_code" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["token_endpoint_auth_methods_supported"] = new[] { "none" },
        ["revocation_endpoint_auth_methods_supported"] = new[] { "none" },
        ["scopes_supported"] = new[] { CscToken.ServiceScope, CscToken.CredentialScope },
        ["authorization_details_types_supported"] = new[] { "credential" },
        ["authorization_response_iss_parameter_supported"] = true,
    });

    internal static byte[] CodeKey(byte[] code) => HKDF.DeriveKey(HashAlgorithmName.SHA256, code, 32, info: "MySign OAuth code → SAD"u8.ToArray());

    private static async Task<OAuthRequest?> Open(IDocumentSession session, Guid id, HttpContext context, TimeProvider clock) =>
        await session.LoadOwnAsync<OAuthRequest>(id, context) is { } request && request.ExpiresAt > clock.GetUtcNow() ? request : null;

    /// <summary>Back to the client with the answer, the state and (RFC 9207) the issuer, so a client can tell which server answered.</summary>
    private static IResult RedirectBack(string redirectUri, string? state, PortalUrl portal, params (string Name, string Value)[] parameters)
    {
        var query = string.Join("&", parameters.Append(("state", state!)).Append(("iss", portal.Base)).Where(p => p.Item2 is not null)
            .Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
        return Results.Redirect(redirectUri + (redirectUri.Contains('?') ? "&" : "?") + query);
    }

    private static IResult Failure(string errorKey) =>
        new HtmlView(typeof(OAuthEndpoints).Assembly, "Csc/Consent", new ConsentView("failed", null, null, null, 0, [], null, null, errorKey, null), "oauth.title")
            { StatusCode = StatusCodes.Status400BadRequest };

    private static IResult Page(HttpContext context, OAuthRequest request, string step, int status = StatusCodes.Status200OK, string? errorKey = null,
        string? field = null)
    {
        FormTargets.Allow(context, new Uri(request.RedirectUri));
        var items = (request.Hashes ?? []).Select((h, i) => new ConsentItem(request.Labels?.ElementAtOrDefault(i) ?? "", Convert.ToHexString(Convert.FromBase64String(h)).ToLowerInvariant())).ToList();
        return new HtmlView(typeof(OAuthEndpoints).Assembly, "Csc/Consent", new ConsentView(step, request.Id, request.ClientName, request.Scope, request.NumSignatures, items,
            request.Description, request.Destination, errorKey, field, request.ByPasskey ? request.ChallengeId?.ToString() : null, request.Binding, request.Factor), "oauth.title")
            { StatusCode = status };
    }
}

/// <summary>The OAuth token endpoint, its own slice: Load reads the code and what it names, Validate refuses, Token decides.</summary>
public static class OAuthTokenEndpoint
{
    /// <summary>A code presented at the token endpoint, read with what it names (Load), or the error that ends the call (Validate).</summary>
    public sealed record Redemption(OAuthCode Code, string Text, string Verifier, string? RedirectUri, CscToken? Earlier, IResult? Refusal)
    {
        public static Redemption Refused(IResult refusal) => new(null!, "", "", null, null, refusal);
    }

    public static async Task<Redemption> LoadAsync(HttpContext context, IDocumentSession session)
    {
        if (!context.Request.HasFormContentType) return Redemption.Refused(OAuthEndpoints.TokenError("invalid_request", "The body must be application/x-www-form-urlencoded"));
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string? One(string name) => form[name].Count == 1 ? form[name].ToString() : null;
        if (form["grant_type"].Count == 0) return Redemption.Refused(OAuthEndpoints.TokenError("invalid_request", "Missing parameter grant_type"));
        if (One("grant_type") != "authorization_code") return Redemption.Refused(OAuthEndpoints.TokenError("unsupported_grant_type", "grant_type must be authorization_code"));
        var code = One("code");
        var clientId = One("client_id");
        var verifier = One("code_verifier");
        if (clientId is null) return Redemption.Refused(OAuthEndpoints.TokenError("invalid_request", "Missing parameter client_id"));
        if (code is not { Length: > 0 and <= 100 } || verifier is null) return Redemption.Refused(OAuthEndpoints.TokenError("invalid_request", "code and code_verifier are required"));
        if (clientId.Length > 100 || await session.LoadAsync<OAuthClient>(clientId, context.RequestAborted) is null)
            return Redemption.Refused(OAuthEndpoints.TokenError("invalid_client", "Unknown client_id"));
        var issued = await session.LoadAsync<OAuthCode>(CscApi.Hash(code), context.RequestAborted);
        if (issued is null || issued.ClientId != clientId) return Redemption.Refused(OAuthEndpoints.TokenError("invalid_grant", "The code is invalid"));
        var earlier = issued is { Redeemed: true, TokenId: { } tokenId } ? await session.LoadAsync<CscToken>(tokenId, context.RequestAborted) : null;
        return new Redemption(issued, code, verifier, One("redirect_uri"), earlier, null);
    }

    public static IResult Validate([NotBody] Redemption redemption) => redemption.Refusal ?? WolverineContinue.Result();

    /// <summary>
    /// The token endpoint: a code, once, within 60 seconds, from the client it was issued to, with the same redirect URI and
    /// the PKCE verifier of the challenge. A second use of a code ends the token its first use got (RFC 6749 §4.1.2); a
    /// second use racing the first loses the save and is told invalid_grant, the first use's token left as it is.
    /// </summary>
    [WolverinePost("/csc/v2/oauth2/token"), AllowAnonymous, RequireAntiforgeryToken(false), LostRaceAnswer("invalid_grant", "The code was already used", 400)]
    public static (IResult, IMartenOp, IMartenOp, OutgoingMessages) Token([NotBody] Redemption redemption, HttpContext context, TimeProvider clock)
    {
        var (issued, now) = (redemption.Code, clock.GetUtcNow());
        if (issued.Redeemed)
            return (OAuthEndpoints.TokenError("invalid_grant", "The code was already used"), redemption.Earlier is { } earlier ? MartenOps.Delete(earlier) : MartenOps.Nothing(),
                MartenOps.Nothing(), (redemption.Earlier?.GrantId ?? issued.GrantId) is { } grant ? [new EndSadGrant(grant)] : []);
        if (now >= issued.ExpiresAt) return Refused("The code has expired");
        if (redemption.RedirectUri != issued.RedirectUri) return Refused("redirect_uri differs from the one the code was issued for");
        if (redemption.Verifier.Length is < 43 or > 128 || !CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes(System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(redemption.Verifier)))),
                Encoding.ASCII.GetBytes(issued.CodeChallenge)))
            return Refused("The code_verifier does not match the code_challenge");

        string? sad = null;
        if (issued.SealedSad is not null)
        {
            var plain = new byte[issued.SealedSad.Length];
            using (var aes = new AesGcm(OAuthEndpoints.CodeKey(System.Buffers.Text.Base64Url.DecodeFromChars(redemption.Text)), 16)) aes.Decrypt(issued.Nonce!, issued.SealedSad, issued.Tag!, plain);
            sad = Encoding.ASCII.GetString(plain);
        }
        var (token, stored, expiresIn) = CscApi.NewToken(issued.HolderId, issued.Scope, issued.ClientId, issued.CredentialId, sad, issued.GrantId, issued.TokenExpiresAt,
            clock);
        issued.Redeemed = true;
        issued.TokenId = stored.Id;
        issued.SealedSad = null;
        context.Response.Headers.CacheControl = "no-store";
        // RFC 9396 §7: the authorization details the token carries, as the client asked for them.
        var details = issued.AuthorizationDetails is { } text ? JsonDocument.Parse(text).RootElement.Clone() : (JsonElement?)null;
        return (CscApi.Answer(new
        {
            access_token = token, token_type = "Bearer", expires_in = expiresIn, scope = details is null ? issued.Scope : null,
            credentialID = issued.CredentialId?.ToString(), authorization_details = details,
        }, omitNulls: true), MartenOps.Store(stored), MartenOps.Store(issued), []);

        static (IResult, IMartenOp, IMartenOp, OutgoingMessages) Refused(string description) =>
            (OAuthEndpoints.TokenError("invalid_grant", description), MartenOps.Nothing(), MartenOps.Nothing(), []);
    }
}
