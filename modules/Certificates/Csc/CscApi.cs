using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.Accounts.Contracts;
using MySign.Certificates.Authority;
using MySign.Certificates.Domain;
using MySign.History.Contracts;
using MySign.Kernel.Localization;
using MySign.Otp.Client;
using MySign.Otp.Contracts;
using Wolverine;
using Wolverine.Http;

namespace MySign.Certificates.Csc;

/// <summary>
/// Cloud Signature Consortium API v2.0.0.2, as its specification spells it: info; auth/login (HTTP Basic with the holder's
/// User ID and password → service token) and auth/revoke; OAuth 2.0 (see <see cref="OAuthEndpoints"/>); credentials/list,
/// info, sendOTP, authorize (authData PIN + OTP → SAD), extendTransaction; signatures/signHash (ECDSA P-256 over SHA-256,
/// signAlgo required) and signDoc (PAdES or CAdES, B-B or B-T). A remote-signature credential is SCAL2: its SAD is bound to
/// the hashes the holder authorised and their count. Errors are {"error", "error_description"}. A call's signatures are
/// announced as one SignaturesMade (History files them at once).
/// </summary>
public static class CscApi
{
    public const string Specs = "2.0.0.2";
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string OtpPurpose = "csc.authorize";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan SadLifetime = TimeSpan.FromMinutes(5);
    /// <summary>Automatic signature: one authorisation covers a back-office batch.</summary>
    public static readonly TimeSpan AutomaticSadLifetime = TimeSpan.FromHours(1);
    public const int MaxSignatures = 1000;
    public const int AutomaticMaxSignatures = 100_000;
    /// <summary>A request body: room for a full automatic batch of base64 hashes, no more.</summary>
    public const int MaxBody = 16 * 1024 * 1024;

    public static readonly string[] Methods =
    [
        "info", "auth/login", "auth/revoke", "oauth2/authorize", "oauth2/token", "oauth2/revoke", "credentials/list", "credentials/info",
        "credentials/sendOTP", "credentials/authorize", "credentials/extendTransaction", "signatures/signHash", "signatures/signDoc",
    ];

    public static bool Automatic(HolderCertificate c) => c.Kind == SignatureKind.Automatic;
    /// <summary>Sole control: a remote signature key is SCAL2 (every SAD bound to its hashes); an automatic seal-like key SCAL1.</summary>
    public static string Scal(HolderCertificate c) => Automatic(c) ? "1" : "2";
    public static int Limit(HolderCertificate c) => Automatic(c) ? AutomaticMaxSignatures : MaxSignatures;
    public static TimeSpan Lifetime(HolderCertificate c) => Automatic(c) ? AutomaticSadLifetime : SadLifetime;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>CSC names are written as the spec spells them (SAD, credentialIDs, SCAL), not camel-cased.</summary>
    private static readonly JsonSerializerOptions Output = new() { PropertyNamingPolicy = null };

    [WolverinePost("/csc/v2/info"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Info(HttpContext context, Kernel.Web.PortalUrl portal)
    {
        var (request, error) = await Body<InfoRequest>(context, allowEmpty: true);
        if (error is not null) return error;
        var language = Language(request?.Lang);
        return Answer(new
        {
            specs = Specs, name = "MySign", logo = portal.For("/favicon.ico"), region = "IT", lang = LangTag(language),
            description = Strings.T("csc.description", language), authType = new[] { "basic", "oauth2code" }, oauth2 = portal.For("/csc/v2"),
            oauth2Issuer = portal.Base,
            asynchronousOperationMode = false, methods = Methods, validationInfo = false,
            // algoParams: ECDSA takes no parameters, so none is listed (the array is there: some clients require it).
            signAlgorithms = new { algos = new[] { EcdsaWithSha256 }, algoParams = Array.Empty<string>() },
            signature_formats = new { formats = new[] { "C", "P" }, envelope_properties = EnvelopeProperties },
            conformance_levels = ConformanceLevels,
        });
    }

    /// <summary>CSC's lang (a BCP 47 tag such as it-IT or en-US): Italian or English, English for anything else.</summary>
    private static string Language(string? lang) => lang is { Length: >= 2 } && lang[..2].Equals("it", StringComparison.OrdinalIgnoreCase) ? "it" : "en";

    private static string LangTag(string language) => language == "it" ? "it-IT" : "en-US";

    [WolverinePost("/csc/v2/auth/login"), AllowAnonymous, RequireAntiforgeryToken(false), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Kernel.Web.RateLimits.Login)]
    public static async Task<IResult> Login(HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return Error("invalid_request", "HTTP Basic credentials are required", 401, BasicChallenge);
        string decoded;
        try { decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return Error("invalid_request", "Malformed Basic credentials: not base64", 401, BasicChallenge); }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return Error("invalid_request", "Malformed Basic credentials: no user:password", 401, BasicChallenge);
        var checkedCredentials = await bus.InvokeAsync<HolderCredentialsChecked>(new CheckHolderCredentials(decoded[..colon], decoded[(colon + 1)..]), context.RequestAborted);
        if (checkedCredentials.FactorRequired)
            return Error("authentication_error", "This holder asks for the OTP or passkey after the password, so a password alone signs in nowhere: " +
                "use OAuth 2.0 (oauth2/authorize with scope service), where the portal asks for it", 401, BasicChallenge);
        if (checkedCredentials.HolderId is null) return Error("authentication_error", "Invalid credentials", 401, BasicChallenge);
        var (token, expiresIn) = IssueToken(session, checkedCredentials.HolderId, CscToken.ServiceScope, null, null, null, clock.GetUtcNow() + TokenLifetime, clock);
        return Answer(new { access_token = token, expires_in = expiresIn });
    }

    /// <summary>A new bearer token of <paramref name="scope"/>: stored as its hash only. A credential token's text is the SAD it opens.</summary>
    public static (string Token, int ExpiresIn) IssueToken(IDocumentSession session, string holder, string scope, string? client, Guid? credential,
        string? sad, DateTimeOffset expiresAt, TimeProvider clock)
    {
        var token = sad ?? System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        session.Store(new CscToken
        {
            Id = Hash(token), HolderId = holder, ExpiresAt = expiresAt, Scope = scope, ClientId = client, CredentialId = credential,
            GrantId = sad is null ? null : Custody.SadActivation.GrantId(sad),
        });
        return (token, (int)Math.Max(0, (expiresAt - clock.GetUtcNow()).TotalSeconds));
    }

    /// <summary>auth/revoke: ends one of the caller's own tokens (the one presented, or another named in "token"), and a credential token's SAD with it.</summary>
    [WolverinePost("/csc/v2/auth/revoke"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Revoke(HttpContext context, IDocumentSession session, TimeProvider clock)
    {
        var caller = await Caller(context, session, clock);
        if (caller is null) return InvalidToken();
        var (request, error) = await Body<RevokeRequest>(context);
        if (error is not null) return error;
        if (string.IsNullOrEmpty(request!.Token)) return Error("invalid_request", "Missing (or invalid type) string parameter token");
        if (request.TokenTypeHint is not (null or "access_token")) return Error("invalid_request", "Invalid parameter token_type_hint");
        // Someone else's token, or none at all, reads the same: nothing to say about it.
        var token = await session.LoadAsync<CscToken>(Hash(request.Token), context.RequestAborted);
        if (token is not null && token.HolderId == caller.HolderId) End(session, token);
        return Results.NoContent();
    }

    /// <summary>Ends a token and the SAD grant a credential token carries.</summary>
    public static void End(IDocumentSession session, CscToken token)
    {
        session.Delete(token);
        if (token.GrantId is not null) session.Delete<CscAuthorization>(token.GrantId);
    }

    [WolverinePost("/csc/v2/credentials/list"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> List(HttpContext context, IQuerySession session, CertificateAuthority authority, IMessageBus bus, TimeProvider clock)
    {
        var caller = await Caller(context, session, clock);
        if (caller is null) return InvalidToken();
        var (request, error) = await Body<CredentialsListRequest>(context, allowEmpty: true);
        if (error is not null) return error;
        request ??= new CredentialsListRequest(null, null, null, null, null, null, null, null);
        if (request.UserId is { } user && !string.Equals(user, caller.HolderId, StringComparison.OrdinalIgnoreCase))
            return Error("invalid_request", "Invalid parameter userID");
        if (CertificatesProblem(request.Certificates) is { } problem) return Error("invalid_request", problem);
        var certificate = await session.LoadAsync<HolderCertificate>(caller.HolderId, context.RequestAborted);
        var now = clock.GetUtcNow();
        var credentials = certificate is null || (caller.CredentialId is { } only && only != certificate.CertificateId)
            || (request.OnlyValid == true && certificate.StatusAt(now) != CertificateStatus.Active) ? [] : new[] { certificate };
        if (request.CredentialInfo != true)
            return Answer(new { credentialIDs = credentials.Select(c => c.CertificateId.ToString()), onlyValid = request.OnlyValid == true ? true : (bool?)null }, omitNulls: true);
        var chain = await authority.GetAsync(context.RequestAborted);
        var passkey = request.AuthInfo == true && credentials.Length > 0 && await ByPasskeyAsync(bus, caller.HolderId, context.RequestAborted);
        var attempts = credentials.Length > 0 ? await session.LoadAsync<Pin.PinAttempts>(caller.HolderId, context.RequestAborted) : null;
        return Answer(new
        {
            credentialIDs = credentials.Select(c => c.CertificateId.ToString()),
            credentialInfos = credentials.Select(c => Describe(c, attempts, chain, request.Certificates, request.CertInfo == true, request.AuthInfo == true, now, withId: true, passkey,
                Language(request.Lang))),
            onlyValid = request.OnlyValid == true ? true : (bool?)null,
        }, omitNulls: true);
    }

    [WolverinePost("/csc/v2/credentials/info"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> CredentialInfo(HttpContext context, IQuerySession session, CertificateAuthority authority, IMessageBus bus, TimeProvider clock)
    {
        var (caller, certificate, error, request) = await CredentialCall<CredentialInfoRequest>(context, session, clock, r => r.CredentialId);
        if (error is not null) return error;
        if (CertificatesProblem(request!.Certificates) is { } problem) return Error("invalid_request", problem);
        var passkey = request.AuthInfo != false && await ByPasskeyAsync(bus, caller!.HolderId, context.RequestAborted);
        var attempts = await session.LoadAsync<Pin.PinAttempts>(caller!.HolderId, context.RequestAborted);
        return Answer(Describe(certificate!, attempts, await authority.GetAsync(context.RequestAborted), request.Certificates, request.CertInfo == true,
            request.AuthInfo != false, clock.GetUtcNow(), withId: false, passkey, Language(request.Lang)), omitNulls: true);
    }

    /// <summary>Whether the holder confirms with a passkey: then only the OAuth flow can authorise (a passkey is used in the portal's page).</summary>
    private static Task<bool> ByPasskeyAsync(IMessageBus bus, string holderId, CancellationToken cancellation) =>
        bus.ConfirmsWithPasskeyAsync(holderId, cancellation);

    private const string UseOAuth = "The holder confirms with a passkey: authorise this credential with the OAuth 2.0 authorization code flow (scope credential)";

    private static string? CertificatesProblem(string? certificates) =>
        certificates is null or "none" or "single" or "chain" ? null : "Invalid parameter certificates";

    /// <summary>A credential as credentials/info (and list's credentialInfos) describe it, in v2's shape.</summary>
    private static object Describe(HolderCertificate certificate, Pin.PinAttempts? attempts, (X509Certificate2 Root,
        X509Certificate2 Issuing) chain, string? certificates, bool certInfo, bool authInfo, DateTimeOffset now, bool withId,
        bool passkey = false, string language = "en")
    {
        using var x509 = certificate.Certificate();
        var status = certificate.StatusAt(now);
        var ders = (certificates ?? "single") switch
        {
            "none" => null,
            "chain" => new[] { Convert.ToBase64String(certificate.Der), Convert.ToBase64String(chain.Issuing.RawData), Convert.ToBase64String(chain.Root.RawData) },
            _ => new[] { Convert.ToBase64String(certificate.Der) },
        };
        return new
        {
            credentialID = withId ? certificate.CertificateId.ToString() : null,
            description = Strings.T(Automatic(certificate) ? "csc.credential.automatic" : "csc.credential.remote", language),
            signatureQualifier = Automatic(certificate) ? null : "eu_eidas_qes",
            key = new { status = status == CertificateStatus.Active && Pin.PinAttempts.LeftFor(certificate, attempts) > 0 ? "enabled" : "disabled", algo = new[] { EcdsaWithSha256, EcPublicKey }, len = 256, curve = "1.2.840.10045.3.1.7" },
            cert = new
            {
                status = status switch { CertificateStatus.Active => "valid", CertificateStatus.Suspended => "suspended", CertificateStatus.Revoked => "revoked", _ => "expired" },
                certificates = ders,
                issuerDN = certInfo ? x509.Issuer : null, serialNumber = certInfo ? certificate.SerialNumber : null, subjectDN = certInfo ? x509.Subject : null,
                validFrom = certInfo ? x509.NotBefore.ToUniversalTime().ToString("yyyyMMddHHmmss'Z'") : null,
                validTo = certInfo ? x509.NotAfter.ToUniversalTime().ToString("yyyyMMddHHmmss'Z'") : null,
            },
            // A passkey holder's credential is authorised only through OAuth (CSC v2 §11.5 auth mode "oauth2code"):
            // the passkey confirms in the portal's consent page, bound to the hashes shown there.
            auth = authInfo && passkey ? (object)new { mode = "oauth2code" } : authInfo ? new
            {
                mode = "explicit", expression = "PIN AND OTP",
                objects = new object[]
                {
                    new { type = "Password", id = "PIN", format = "N", label = "PIN", description = Strings.T("csc.auth.pin", language) },
                    new { type = "Password", id = "OTP", format = "N", label = "OTP", description = Strings.T("csc.auth.otp", language) },
                },
            } : null,
            SCAL = Scal(certificate),
            multisign = Limit(certificate),
            lang = LangTag(language),
        };
    }

    [WolverinePost("/csc/v2/credentials/sendOTP"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> SendOtp(HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (caller, certificate, error, _) = await CredentialCall<SendOtpRequest>(context, session, clock, r => r.CredentialId, serviceOnly: true);
        if (error is not null) return error;
        // A credential that cannot sign gets no OTP: no SMS goes out for nothing.
        if (NotActive(certificate!, clock.GetUtcNow()) is { } inactive) return inactive;
        var issued = await bus.SendOtpAsync(caller!.HolderId, OtpPurpose, certificate!.CertificateId.ToString(), context.RequestAborted);
        if (issued.Channel == ReceptionMode.Passkey) return Error("invalid_request", UseOAuth);
        if (issued.Throttled)
            return new WithHeaders(Error("invalid_request", $"An OTP was sent recently: retry in {issued.RetryAfterSeconds} seconds", 429),
                ("Retry-After", issued.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        session.Store(new CscOtp { Id = $"{caller.HolderId}:{certificate.CertificateId}", ChallengeId = issued.ChallengeId });
        return Results.NoContent();
    }

    [WolverinePost("/csc/v2/credentials/authorize"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Authorize(HttpContext context, IDocumentSession session, IMessageBus bus, Custody.SignatureActivation sam, TimeProvider clock)
    {
        var (caller, certificate, error, request) = await CredentialCall<AuthorizeRequest>(context, session, clock, r => r.CredentialId, serviceOnly: true);
        if (error is not null) return error;
        var now = clock.GetUtcNow();
        var holder = caller!.HolderId;
        if (request!.NumSignatures is not { } count) return Error("invalid_request", "Missing (or invalid type) integer parameter numSignatures");
        if (count < 1 || count > Limit(certificate!)) return Error("invalid_request", $"numSignatures must be between 1 and {Limit(certificate!)}");
        if (request.HashAlgorithmOid is not (null or Sha256)) return Error("invalid_request", "Invalid parameter hashAlgorithmOID: only SHA-256 is supported");
        var hashes = request.Hashes?.Select(CscHashes.Canonical).ToList();
        if (hashes is null && Scal(certificate!) == "2") return Error("invalid_request", "Missing parameter hashes: this credential is SCAL2, a SAD is bound to the hashes it signs");
        if (hashes is not null && (hashes.Count != count || hashes.Any(h => h is null)))
            return Error("invalid_request", "hashes must be numSignatures base64 SHA-256 values");
        if (NotActive(certificate!, now) is { } inactive) return inactive;
        var pinValue = request.Value("PIN");
        var otpValue = request.Value("OTP");
        if (string.IsNullOrEmpty(pinValue)) return Error("invalid_request", "Missing authData PIN");
        if (string.IsNullOrEmpty(otpValue)) return Error("invalid_request", "Missing authData OTP");

        // The OTP first: it is single use, so the password alone (a bearer token) cannot probe PINs.
        var sent = await session.LoadAsync<CscOtp>($"{holder}:{certificate!.CertificateId}", context.RequestAborted);
        if (sent is null) return Error("invalid_otp", "The OTP is invalid");
        var otp = new Custody.OtpConfirmation(sent.ChallengeId, OtpPurpose, certificate.CertificateId.ToString(), otpValue);
        var activated = await sam.AuthorizeAsync(certificate, new Custody.PinAndOtp(pinValue, otp, OtpFirst: true), Custody.Door.CscAuthorize, count, hashes!,
            now + Lifetime(certificate), bus, session, context.RequestAborted);
        if (activated.OtpRefusal is not null) return Error("invalid_otp", "The OTP is invalid");
        if (activated.Value is not { } grant) return Error("invalid_pin", activated.Pin?.Result == Custody.PinResult.Blocked ? "The PIN is blocked" : "The PIN is invalid");
        return Answer(new { SAD = grant.Sad, expiresIn = (int)(grant.Authorization.ExpiresAt - now).TotalSeconds });
    }

    [WolverinePost("/csc/v2/credentials/extendTransaction"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> ExtendTransaction(HttpContext context, IDocumentStore store, Custody.SadActivation sad, TimeProvider clock)
    {
        await using var query = store.QuerySession();
        var (caller, certificate, error, request) = await CredentialCall<ExtendTransactionRequest>(context, query, clock, r => r.CredentialId, serviceOnly: true);
        if (error is not null) return error;
        var now = clock.GetUtcNow();
        if (NotActive(certificate!, now) is { } inactive) return inactive;
        var (extended, expiresAt, refusal) = await sad.ExtendAsync(store, caller!.HolderId, certificate!.CertificateId, request!.Sad, Lifetime(certificate), now,
            context.RequestAborted);
        if (refusal is not null) return Error("invalid_request", refusal);
        return Answer(new { SAD = extended, expiresIn = (int)(expiresAt - now).TotalSeconds });
    }

    /// <summary>The refusal for a credential that is not active now (suspended, revoked, expired), or null.</summary>
    private static IResult? NotActive(HolderCertificate certificate, DateTimeOffset now) =>
        certificate.StatusAt(now) is var status && status != CertificateStatus.Active
            ? Error("invalid_request", $"The credential is {status.ToString().ToLowerInvariant()}") : null;

    [WolverinePost("/csc/v2/signatures/signHash"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> SignHash(HttpContext context, IDocumentStore store, Custody.SadActivation sad, IMessageBus bus, TimeProvider clock)
    {
        await using var query = store.QuerySession();
        var (caller, certificate, error, request) = await CredentialCall<SignHashRequest>(context, query, clock, r => r.CredentialId);
        if (error is not null) return error;
        var now = clock.GetUtcNow();
        if (string.IsNullOrEmpty(request!.SignAlgo)) return Error("invalid_request", "Missing (or invalid type) string parameter signAlgo");
        if (request.SignAlgo is not (EcdsaWithSha256 or EcPublicKey)) return Error("invalid_request", "Invalid parameter signAlgo: the key is ECDSA P-256 (1.2.840.10045.4.3.2)");
        if (request.HashAlgorithmOid is not (null or Sha256)) return Error("invalid_request", "Invalid parameter hashAlgorithmOID: only SHA-256 is supported");
        if (request.SignAlgo == EcPublicKey && request.HashAlgorithmOid is null) return Error("invalid_request", "Missing parameter hashAlgorithmOID: signAlgo does not name the hash");
        if (request.OperationMode is not (null or "S")) return Error("invalid_request", "Invalid parameter operationMode: only synchronous (S) signing is offered");
        var hashes = request.Hashes?.Select(CscHashes.Canonical).ToList();
        if (hashes is null || hashes.Count == 0 || hashes.Any(h => h is null)) return Error("invalid_request", "hashes must be base64 SHA-256 values");
        if (NotActive(certificate!, now) is { } inactive) return inactive;
        // The signature activation module spends the SAD and signs in the token; the same call again (its answer was lost) is
        // answered with the signatures kept for it, and filed under the same ids.
        var signed = await sad.SignHashesAsync(caller!.HolderId, certificate!.CertificateId, caller.Sad(request.Sad), hashes!, now, context.RequestAborted);
        if (signed.Refusal is not null) return Error("invalid_request", signed.Refusal);
        var signatures = signed.Signatures.Select(Convert.ToBase64String).ToArray();
        var made = hashes.Select((h, i) => new MadeSignature(signed.Call!.SignatureId(i), "SHA-256 " + Convert.ToHexString(Convert.FromBase64String(h!), 0, 8).ToLowerInvariant() + "…"));
        await bus.PublishAsync(new SignaturesMade(caller.HolderId, certificate.CertificateId, now, "SHA-256", Channel(certificate), made.ToList()));
        return Answer(new { signatures });
    }

    private static SignatureChannel Channel(HolderCertificate certificate) => Automatic(certificate) ? SignatureChannel.Automatic : SignatureChannel.Api;

    /// <summary>
    /// signatures/signDoc: whole documents, signed here as CSC's signature_format "P" (PAdES, the PDF returned signed
    /// inside) or "C" (a detached CAdES signature), conformance_level AdES-B-T (with our TSA's time-stamp) or
    /// AdES-B-B; or documentDigests, a CMS over each digest. The same SAD rules as signHash: one signature per document,
    /// and a SAD bound to hashes accepts only documents whose SHA-256 it lists.
    /// </summary>
    [WolverinePost("/csc/v2/signatures/signDoc"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> SignDoc(HttpContext context, IDocumentStore store, Custody.SadActivation sad, IMessageBus bus, CertificateAuthority authority,
        Signing.Cades cades, Signing.Pades pades, TimeProvider clock)
    {
        await using var query = store.QuerySession();
        var (caller, certificate, error, request) = await CredentialCall<SignDocRequest>(context, query, clock, r => r.CredentialId);
        if (error is not null) return error;
        var now = clock.GetUtcNow();
        // Everything is read and checked before the SAD is spent: a refusal costs the client nothing.
        var (jobs, problem) = Jobs(request!, $"{certificate!.GivenName} {certificate.Surname}", now);
        if (problem is not null) return Error("invalid_request", problem);
        if (NotActive(certificate, now) is { } inactive) return inactive;
        var method = "signDoc " + string.Join(",", jobs.Select(j => $"{j.Format}/{j.Level}/{j.Envelope}/{(j.Document is null ? "digest" : "document")}"));
        // Each signature's signed attributes are drafted first; the signature activation module spends the SAD for the
        // documents' hashes and signs the drafts' hashes in the token, one unwrap for the call.
        var (_, issuing) = await authority.GetAsync(context.RequestAborted);
        using var signer = certificate.Certificate();
        var drafts = jobs.Select(j => j.Pdf is not null ? Signing.Pades.Draft(j.Pdf, signer, issuing)
            : Signing.Cades.Draft(Convert.FromBase64String(j.Hash), signer, issuing, j.Document is not null ? now : null)).ToList();
        var signed = await sad.SignDocumentsAsync(caller!.HolderId, certificate.CertificateId, caller.Sad(request!.Sad), jobs.Select(j => j.Hash).ToList(), method,
            drafts.Select(d => d.Hash).ToList(), now, context.RequestAborted);
        if (signed.Refusal is not null) return Error("invalid_request", signed.Refusal);
        var signedDocuments = new List<string>();
        var signatureObjects = new List<string>();
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            if (job.Pdf is not null)
                signedDocuments.Add(Convert.ToBase64String(await pades.CompleteAsync(job.Pdf, drafts[i], signed.Signatures[i], now, context.RequestAborted, PadesLevels[job.Level])));
            else
                signatureObjects.Add(Convert.ToBase64String(await cades.CompleteAsync(drafts[i], signed.Signatures[i], timeStamp: job.Level != "AdES-B-B", context.RequestAborted)));
        }
        var made = jobs.Select((j, i) => new MadeSignature(signed.Call!.SignatureId(i), j.Name)).ToList();
        await bus.PublishAsync(new SignaturesMade(caller.HolderId, certificate.CertificateId, now, "SHA-256", Channel(certificate), made));
        return Answer(new { DocumentWithSignature = signedDocuments, SignatureObject = signatureObjects });
    }

    /// <summary>One signature a signDoc call asks for: a whole document (a PDF already prepared for PAdES) or a client's digest.</summary>
    private sealed record SignJob(string Hash, string Format, string Level, string Envelope, byte[]? Document, Signing.PreparedPdf? Pdf, string Name);

    /// <summary>
    /// What a signDoc call asks for, read and checked whole (documents and documentDigests, each signed), or the first
    /// problem. PDFs are parsed and prepared here, so a PDF that cannot be signed is refused before any SAD is spent.
    /// </summary>
    private static (List<SignJob> Jobs, string? Problem) Jobs(SignDocRequest request, string signerName, DateTimeOffset now)
    {
        var jobs = new List<SignJob>();
        var documents = request.Documents ?? [];
        var digestSets = request.DocumentDigests ?? [];
        if (documents.Count == 0 && digestSets.Count == 0) return (jobs, "Missing parameter documents or documentDigests");
        for (var i = 0; i < documents.Count; i++)
        {
            var d = documents[i];
            if (FormatProblem(d.SignatureFormat, d.ConformanceLevel, d.SignAlgo, d.SignedEnvelopeProperty, digest: false) is { } problem) return (jobs, $"documents[{i}]: {problem}");
            var envelope = d.SignedEnvelopeProperty ?? (d.SignatureFormat == "P" ? "Revision" : "Detached");
            if (Decode(d.Document) is not { Length: > 0 } content) return (jobs, $"documents[{i}].document must be base64 content");
            Signing.PreparedPdf? pdf = null;
            if (d.SignatureFormat == "P")
            {
                if (!Signing.Pades.IsPdf(content)) return (jobs, $"Document {i + 1} is not a PDF: use signature_format C");
                try { pdf = Signing.Pades.Prepare(content, now, signerName, certify: envelope == "Certification"); }
                catch (Signing.UnsignablePdfException e) { return (jobs, $"Document {i + 1} is a PDF that cannot be signed ({e.Message})"); }
            }
            jobs.Add(new SignJob(Convert.ToBase64String(SHA256.HashData(content)), d.SignatureFormat!, d.ConformanceLevel ?? "AdES-B-T", envelope, content, pdf,
                $"document {i + 1} ({(d.SignatureFormat == "P" ? "PAdES" : "CAdES")})"));
        }
        for (var i = 0; i < digestSets.Count; i++)
        {
            var set = digestSets[i];
            if (FormatProblem(set.SignatureFormat, set.ConformanceLevel, set.SignAlgo, set.SignedEnvelopeProperty, digest: true) is { } problem)
                return (jobs, $"documentDigests[{i}]: {problem}");
            if (set.HashAlgorithmOid is not (null or Sha256)) return (jobs, $"documentDigests[{i}].hashAlgorithmOID: only SHA-256 ({Sha256}) is supported");
            var hashes = set.Hashes?.Select(CscHashes.Canonical).ToList();
            if (hashes is not { Count: > 0 } || hashes.Any(h => h is null)) return (jobs, $"documentDigests[{i}].hashes must be base64 SHA-256 values");
            jobs.AddRange(hashes.Select(h => new SignJob(h!, set.SignatureFormat!, set.ConformanceLevel ?? "AdES-B-T", set.SignedEnvelopeProperty ?? "", null, null,
                $"SHA-256 {Convert.ToHexString(Convert.FromBase64String(h!), 0, 8).ToLowerInvariant()}… ({(set.SignatureFormat == "P" ? "PAdES" : "CAdES")})")));
        }
        return jobs.Count > 100 ? (jobs, "At most 100 documents and digests per call") : (jobs, null);
    }

    /// <summary>The conformance levels offered (info says so): B-LT and B-LTA for whole PDFs, where the validation data goes into the document.</summary>
    public static readonly string[] ConformanceLevels = ["AdES-B-B", "AdES-B-T", "AdES-B-LT", "AdES-B-LTA"];
    private static readonly Dictionary<string, Signing.PadesLevel> PadesLevels = new()
    {
        ["AdES-B-B"] = Signing.PadesLevel.BB, ["AdES-B-T"] = Signing.PadesLevel.BT, ["AdES-B-LT"] = Signing.PadesLevel.BLT, ["AdES-B-LTA"] = Signing.PadesLevel.BLTA,
    };
    /// <summary>signed_envelope_property per signature_format, in the order info lists the formats (C, P).</summary>
    public static readonly string[][] EnvelopeProperties = [["Detached"], ["Certification", "Revision"]];

    private static string? FormatProblem(string? format, string? level, string? signAlgo, string? envelope, bool digest) =>
        format is not ("P" or "C") ? "signature_format must be P (PAdES) or C (CAdES)"
        : level is not null && !ConformanceLevels.Contains(level) ? $"conformance_level must be one of {string.Join(", ", ConformanceLevels)}"
        : level is "AdES-B-LT" or "AdES-B-LTA" && (format != "P" || digest)
            ? $"conformance_level {level} is offered for whole PDFs (signature_format P with documents) only: the validation data goes into the document"
        : signAlgo is not (null or EcdsaWithSha256) ? $"signAlgo must be ecdsa-with-SHA256 ({EcdsaWithSha256})"
        : envelope is not null && !EnvelopeProperties[format == "C" ? 0 : 1].Contains(envelope)
            ? $"signed_envelope_property {envelope} is not offered for signature_format {format}: use {string.Join(" or ", EnvelopeProperties[format == "C" ? 0 : 1])}"
        : envelope == "Certification" && digest ? "signed_envelope_property Certification needs the whole PDF (documents), not documentDigests"
        : null;

    /// <summary>Who calls: the valid token presented as "Authorization: Bearer", and the token's text (a credential token is a SAD).</summary>
    public sealed record CscCaller(string HolderId, string Scope, Guid? CredentialId, string Raw)
    {
        /// <summary>The SAD of a signing call: the one in the body, or else the credential token itself (OAuth scope "credential").</summary>
        public string? Sad(string? fromBody) => !string.IsNullOrEmpty(fromBody) ? fromBody : Scope == CscToken.CredentialScope ? Raw : null;
    }

    private static async Task<CscCaller?> Caller(HttpContext context, IQuerySession session, TimeProvider clock)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 200) return null;
        var raw = header[7..].Trim();
        var token = await session.LoadAsync<CscToken>(Hash(raw), context.RequestAborted);
        return token is not null && token.ExpiresAt > clock.GetUtcNow() ? new CscCaller(token.HolderId, token.Scope, token.CredentialId, raw) : null;
    }

    private static async Task<(T? Body, IResult? Error)> Body<T>(HttpContext context, bool allowEmpty = false)
    {
        var bytes = await Kernel.Web.RequestBody.ReadAsync(context.Request, MaxBody, context.RequestAborted);
        if (bytes is null) return (default, Error("invalid_request", $"The body is larger than {MaxBody / (1024 * 1024)} MiB", 413));
        if (bytes.Length == 0 && allowEmpty) return (default, null);
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

    /// <summary>
    /// A call about one credential: a valid token, a JSON body, and a credentialID that is the caller's own (another holder's
    /// reads exactly like one that does not exist). A credential-scope token reaches only its credential, and not the
    /// service methods (sendOTP, authorize, extendTransaction) at all.
    /// </summary>
    private static async Task<(CscCaller? Caller, HolderCertificate? Certificate, IResult? Error, T? Body)> CredentialCall<T>(HttpContext context, IQuerySession session,
        TimeProvider clock, Func<T, string?> credential, bool serviceOnly = false)
    {
        var caller = await Caller(context, session, clock);
        if (caller is null) return (null, null, InvalidToken(), default);
        if (serviceOnly && caller.Scope != CscToken.ServiceScope)
            return (caller, null, Error("insufficient_scope", "This access token's scope is credential: this method needs scope service", 403, ServiceScopeChallenge), default);
        var (body, error) = await Body<T>(context);
        if (error is not null) return (caller, null, error, default);
        if (credential(body!) is not { Length: > 0 } named) return (caller, null, Error("invalid_request", "Missing parameter credentialID"), body);
        if (!Guid.TryParse(named, out var id)) return (caller, null, Error("invalid_request", "Invalid parameter credentialID: not a credential identifier"), body);
        var certificate = await session.LoadAsync<HolderCertificate>(caller.HolderId, context.RequestAborted);
        if (certificate is null || certificate.CertificateId != id || (caller.CredentialId is { } only && only != id))
            return (caller, null, Error("invalid_request", "Invalid parameter credentialID"), body);
        return (caller, certificate, null, body);
    }

    private static byte[]? Decode(string? value)
    {
        try { return Convert.FromBase64String(value ?? ""); }
        catch (FormatException) { return null; }
    }

    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static readonly JsonSerializerOptions OutputWithoutNulls = new() { PropertyNamingPolicy = null, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Every answer carries Pragma: no-cache beside the Cache-Control: no-store of every POST (RFC 6749 §5.1 for tokens and SADs).</summary>
    public static IResult Answer(object body, bool omitNulls = false) =>
        new WithHeaders(Results.Json(body, omitNulls ? OutputWithoutNulls : Output), ("Pragma", "no-cache"));

    private static IResult InvalidToken() => Error("invalid_token", "Missing, invalid, expired or revoked access token", 401);

    /// <summary>The challenge of a 401 from the password doors (auth/login, the token endpoint's client): HTTP Basic.</summary>
    public const string BasicChallenge = "Basic realm=\"MySign CSC API\", charset=\"UTF-8\"";

    /// <summary>A valid token of the wrong scope (RFC 6750 §3.1): the scope the method needs, with a 403.</summary>
    private const string ServiceScopeChallenge = "Bearer realm=\"MySign CSC API\", error=\"insufficient_scope\", scope=\"service\"";

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
    private sealed class WithHeaders(IResult inner, params (string Name, string Value)[] headers) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            foreach (var (name, value) in headers) context.Response.Headers[name] = value;
            return inner.ExecuteAsync(context);
        }
    }
}
