using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.Accounts.Contracts;
using MySign.Certificates.Authority;
using MySign.Certificates.Domain;
using MySign.Certificates.Issuance;
using MySign.Certificates.Keys;
using MySign.History.Contracts;
using MySign.Otp.Contracts;
using Wolverine;
using Wolverine.Http;

namespace MySign.Certificates.Csc;

public sealed record CredentialsRequest([property: JsonPropertyName("credentialID")] string? CredentialId);
public sealed record AuthorizeRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("numSignatures")] int NumSignatures,
    [property: JsonPropertyName("hashes")] List<string>? Hashes,
    [property: JsonPropertyName("PIN")] string? Pin,
    [property: JsonPropertyName("OTP")] string? Otp);
public sealed record SignDocDocument(
    [property: JsonPropertyName("document")] string? Document,
    [property: JsonPropertyName("signature_format")] string? SignatureFormat,
    [property: JsonPropertyName("conformance_level")] string? ConformanceLevel,
    [property: JsonPropertyName("signAlgo")] string? SignAlgo);
public sealed record SignDocRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("SAD")] string? Sad,
    [property: JsonPropertyName("documents")] List<SignDocDocument>? Documents,
    [property: JsonPropertyName("documentDigests")] List<SignDocDigests>? DocumentDigests);
public sealed record SignDocDigests(
    [property: JsonPropertyName("hashes")] List<string>? Hashes,
    [property: JsonPropertyName("hashAlgorithmOID")] string? HashAlgorithmOid,
    [property: JsonPropertyName("signature_format")] string? SignatureFormat,
    [property: JsonPropertyName("conformance_level")] string? ConformanceLevel,
    [property: JsonPropertyName("signAlgo")] string? SignAlgo);
public sealed record SignHashRequest(
    [property: JsonPropertyName("credentialID")] string? CredentialId,
    [property: JsonPropertyName("SAD")] string? Sad,
    [property: JsonPropertyName("hashes")] List<string>? Hashes,
    [property: JsonPropertyName("hashAlgo")] string? HashAlgo,
    [property: JsonPropertyName("signAlgo")] string? SignAlgo);

/// <summary>
/// Cloud Signature Consortium API v2 (the subset client software needs): info, auth/login (HTTP Basic with the
/// holder's User ID and password → bearer token), credentials/list, info, sendOTP, authorize (PIN + OTP → SAD
/// for numSignatures hashes and five minutes), signatures/signHash (ECDSA P-256 over SHA-256), signatures/signDoc
/// (PAdES or CAdES, B-B or B-T, under the same SAD rules). Errors are CSC's
/// {"error", "error_description"}. Every signature made is announced as SignatureMade (History files it).
/// </summary>
public static class CscApi
{
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    public const string OtpPurpose = "csc.authorize";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan SadLifetime = TimeSpan.FromMinutes(5);
    /// <summary>Automatic signature: one authorisation covers a back-office batch.</summary>
    public static readonly TimeSpan AutomaticSadLifetime = TimeSpan.FromHours(1);
    public const int MaxSignatures = 1000;
    public const int AutomaticMaxSignatures = 100_000;
    /// <summary>A request body: room for a full automatic batch of base64 hashes, no more.</summary>
    public const int MaxBody = 16 * 1024 * 1024;

    private static bool Automatic(HolderCertificate c) => c.Kind == SignatureKind.Automatic;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>CSC names are written as the spec spells them (SAD, PIN, credentialIDs), not camel-cased.</summary>
    private static readonly JsonSerializerOptions Output = new() { PropertyNamingPolicy = null };

    [WolverinePost("/csc/v2/info"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static IResult Info() => Answer(new
    {
        specs = "2.0.0.0", name = "MySign", logo = "/favicon.ico", region = "IT", lang = "en-US",
        description = "MySign remote signature service", authType = new[] { "basic" },
        methods = new[] { "auth/login", "credentials/list", "credentials/info", "credentials/sendOTP", "credentials/authorize", "signatures/signHash" },
    });

    [WolverinePost("/csc/v2/auth/login"), AllowAnonymous, RequireAntiforgeryToken(false), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(MySign.Kernel.Web.RateLimits.Login)]
    public static async Task<IResult> Login(HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return Error("invalid_request", "HTTP Basic credentials are required", 401);
        string decoded;
        try { decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return Error("invalid_request", "Malformed Basic credentials", 401); }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return Error("invalid_request", "Malformed Basic credentials", 401);
        var checkedCredentials = await bus.InvokeAsync<HolderCredentialsChecked>(new CheckHolderCredentials(decoded[..colon], decoded[(colon + 1)..]), context.RequestAborted);
        if (checkedCredentials.HolderId is null) return Error("authentication_error", "Invalid credentials", 401);
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        session.Store(new CscToken { Id = Hash(token), HolderId = checkedCredentials.HolderId, ExpiresAt = clock.GetUtcNow() + TokenLifetime });
        return Answer(new { access_token = token, expires_in = (int)TokenLifetime.TotalSeconds });
    }

    [WolverinePost("/csc/v2/credentials/list"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> List(HttpContext context, IQuerySession session, TimeProvider clock)
    {
        var holder = await Holder(context, session, clock);
        if (holder is null) return InvalidToken();
        var certificate = await session.LoadAsync<HolderCertificate>(holder, context.RequestAborted);
        return Answer(new { credentialIDs = certificate is null ? Array.Empty<string>() : [certificate.CertificateId.ToString()] });
    }

    [WolverinePost("/csc/v2/credentials/info"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> CredentialInfo(HttpContext context, IQuerySession session, CertificateAuthority authority, TimeProvider clock)
    {
        var (holder, certificate, error) = await Credential<CredentialsRequest>(context, session, clock, r => r.CredentialId);
        if (error is not null) return error;
        var (root, issuing) = await authority.GetAsync(context.RequestAborted);
        using var x509 = certificate!.Certificate();
        var status = certificate.StatusAt(clock.GetUtcNow());
        return Answer(new
        {
            key = new { status = status == CertificateStatus.Active && !certificate.PinBlocked ? "enabled" : "disabled", algo = new[] { "1.2.840.10045.2.1" }, len = 256, curve = "1.2.840.10045.3.1.7" },
            cert = new
            {
                status = status switch { CertificateStatus.Active => "valid", CertificateStatus.Suspended => "suspended", CertificateStatus.Revoked => "revoked", _ => "expired" },
                certificates = new[] { Convert.ToBase64String(certificate.Der), Convert.ToBase64String(issuing.RawData), Convert.ToBase64String(root.RawData) },
                issuerDN = x509.Issuer, serialNumber = certificate.SerialNumber, subjectDN = x509.Subject,
                validFrom = x509.NotBefore.ToUniversalTime().ToString("yyyyMMddHHmmss'Z'"), validTo = x509.NotAfter.ToUniversalTime().ToString("yyyyMMddHHmmss'Z'"),
            },
            authMode = "explicit",
            PIN = new { presence = "true", format = "N", label = "PIN", description = "The signature PIN" },
            OTP = new { presence = "true", type = "online", format = "N", label = "OTP", ID = "MySign-OTP", provider = "MySign", description = "Call credentials/sendOTP, then enter the code" },
            multisign = Automatic(certificate) ? AutomaticMaxSignatures : MaxSignatures,
            lang = "en-US",
        });
    }

    [WolverinePost("/csc/v2/credentials/sendOTP"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> SendOtp(HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var (holder, certificate, error) = await Credential<CredentialsRequest>(context, session, clock, r => r.CredentialId);
        if (error is not null) return error;
        var issued = await bus.InvokeAsync<OtpIssued>(new IssueOtp(holder!, OtpPurpose, certificate!.CertificateId.ToString()), context.RequestAborted);
        if (issued.Throttled) return Error("invalid_request", $"An OTP was sent recently: retry in {issued.RetryAfterSeconds} seconds", 429);
        session.Store(new CscOtp { Id = $"{holder}:{certificate.CertificateId}", ChallengeId = issued.ChallengeId });
        return Results.NoContent();
    }

    [WolverinePost("/csc/v2/credentials/authorize"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Authorize(HttpContext context, IDocumentSession session, IMessageBus bus, Pin.PinCheck pins, TimeProvider clock)
    {
        var (holder, certificate, error, request) = await CredentialWithBody<AuthorizeRequest>(context, session, clock, r => r.CredentialId);
        if (error is not null) return error;
        var now = clock.GetUtcNow();
        var limit = Automatic(certificate!) ? AutomaticMaxSignatures : MaxSignatures;
        if (request!.NumSignatures < 1 || request.NumSignatures > limit) return Error("invalid_request", $"numSignatures must be between 1 and {limit}");
        if (request.Hashes is { } bound && (bound.Count != request.NumSignatures || bound.Any(h => Decode(h)?.Length != 32)))
            return Error("invalid_request", "hashes must be numSignatures base64 SHA-256 values");
        if (certificate!.StatusAt(now) != CertificateStatus.Active) return Error("invalid_request", $"The credential is {certificate.StatusAt(now).ToString().ToLowerInvariant()}");
        if (string.IsNullOrEmpty(request.Pin)) return Error("invalid_request", "Missing PIN");
        if (string.IsNullOrEmpty(request.Otp)) return Error("invalid_request", "Missing OTP");

        // The OTP first: it is single use, so the password alone (a bearer token) cannot probe PINs.
        var sent = await session.LoadAsync<CscOtp>($"{holder}:{certificate.CertificateId}", context.RequestAborted);
        var verified = sent is null ? null
            : await bus.InvokeAsync<OtpVerified>(new VerifyOtp(sent.ChallengeId, holder!, OtpPurpose, certificate.CertificateId.ToString(), request.Otp), context.RequestAborted);
        if (verified is not { IsValid: true }) return Error("invalid_otp", "The OTP is invalid");
        var (pin, pkcs8) = await pins.OpenAsync(certificate, request.Pin, context.RequestAborted);
        if (pin != Pin.PinResult.Ok) return Error("invalid_pin", pin == Pin.PinResult.Blocked ? "The PIN is blocked" : "The PIN is invalid");

        var id = RandomNumberGenerator.GetBytes(16);
        var key = RandomNumberGenerator.GetBytes(32);
        var grant = new CscAuthorization
        {
            Id = Convert.ToHexString(id), HolderId = holder!, CredentialId = certificate.CertificateId, Remaining = request.NumSignatures,
            ExpiresAt = now + (Automatic(certificate) ? AutomaticSadLifetime : SadLifetime), Hashes = request.Hashes, Nonce = RandomNumberGenerator.GetBytes(12), Tag = new byte[16],
        };
        grant.Ciphertext = new byte[pkcs8!.Length];
        using (var aes = new AesGcm(key, 16)) aes.Encrypt(grant.Nonce, pkcs8, grant.Ciphertext, grant.Tag);
        CryptographicOperations.ZeroMemory(pkcs8);
        session.Store(grant);
        return Answer(new { SAD = System.Buffers.Text.Base64Url.EncodeToString([.. id, .. key]), expiresIn = (int)(grant.ExpiresAt - now).TotalSeconds });
    }

    [WolverinePost("/csc/v2/signatures/signHash"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> SignHash(HttpContext context, IDocumentStore store, IMessageBus bus, TimeProvider clock)
    {
        await using var query = store.QuerySession();
        var (holder, certificate, error, request) = await CredentialWithBody<SignHashRequest>(context, query, clock, r => r.CredentialId);
        if (error is not null) return error;
        var now = clock.GetUtcNow();
        if (request!.HashAlgo is not null && request.HashAlgo != Sha256) return Error("invalid_request", "Only SHA-256 hashes are supported");
        if (request.SignAlgo is not null && request.SignAlgo != EcdsaWithSha256) return Error("invalid_request", "signAlgo must be ecdsa-with-SHA256");
        var hashes = request.Hashes?.Select(Decode).ToList();
        if (hashes is null || hashes.Count == 0 || hashes.Any(h => h?.Length != 32)) return Error("invalid_request", "hashes must be base64 SHA-256 values");
        if (certificate!.StatusAt(now) != CertificateStatus.Active) return Error("invalid_request", $"The credential is {certificate.StatusAt(now).ToString().ToLowerInvariant()}");
        var (pkcs8, refused) = await SpendAsync(store, holder!, certificate, request.Sad, request.Hashes!, now, context.RequestAborted);
        if (refused is not null) return refused;
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8!, out _);
        CryptographicOperations.ZeroMemory(pkcs8!);
        var signatures = new List<string>();
        foreach (var hash in hashes)
        {
            signatures.Add(Convert.ToBase64String(key.SignHash(hash!, DSASignatureFormat.Rfc3279DerSequence)));
            await bus.PublishAsync(new SignatureMade(Guid.CreateVersion7(now), holder!, certificate.CertificateId, now,
                "SHA-256 " + Convert.ToHexString(hash!)[..16].ToLowerInvariant() + "…", "SHA-256", true, Automatic(certificate) ? SignatureChannel.Automatic : SignatureChannel.Api));
        }
        return Answer(new { signatures });
    }

    /// <summary>
    /// signatures/signDoc: whole documents, signed here as CSC's signature_format "P" (PAdES, the PDF returned signed
    /// inside) or "C" (a detached CAdES signature), conformance_level AdES-B-T (with our TSA's time-stamp) or
    /// AdES-B-B. The same SAD rules as signHash: one signature per document, and a SAD bound to hashes accepts only
    /// documents whose SHA-256 it lists. documentDigests is not offered (a CAdES over a digest alone is not ours yet).
    /// </summary>
    [WolverinePost("/csc/v2/signatures/signDoc"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> SignDoc(HttpContext context, IDocumentStore store, IMessageBus bus, CertificateAuthority authority,
        Signing.Cades cades, Signing.Pades pades, Signing.CadesFromDigest digestsSigner, TimeProvider clock)
    {
        await using var query = store.QuerySession();
        var (holder, certificate, error, request) = await CredentialWithBody<SignDocRequest>(context, query, clock, r => r.CredentialId);
        if (error is not null) return error;
        var now = clock.GetUtcNow();
        if (request!.DocumentDigests is { Count: > 0 } digestSets)
            return await SignDigests(context, store, bus, authority, digestsSigner, holder!, certificate!, request.Sad, digestSets, now);
        if (request.Documents is not { Count: > 0 } documents || documents.Count > 100) return Error("invalid_request", "documents or documentDigests must list 1 to 100 items");
        var contents = documents.Select(d => Decode(d.Document ?? "")).ToList();
        if (contents.Any(c => c is not { Length: > 0 })) return Error("invalid_request", "Each document must be base64 content");
        foreach (var d in documents)
            if (FormatProblem(d.SignatureFormat, d.ConformanceLevel, d.SignAlgo) is { } problem) return Error("invalid_request", problem);
        for (var i = 0; i < documents.Count; i++)
            if (documents[i].SignatureFormat == "P" && !Signing.Pades.IsPdf(contents[i])) return Error("invalid_request", $"Document {i + 1} is not a PDF: use signature_format C");
        if (certificate!.StatusAt(now) != CertificateStatus.Active) return Error("invalid_request", $"The credential is {certificate.StatusAt(now).ToString().ToLowerInvariant()}");

        var digests = contents.Select(c => Convert.ToBase64String(SHA256.HashData(c!))).ToList();
        var (pkcs8, refused) = await SpendAsync(store, holder!, certificate, request.Sad, digests, now, context.RequestAborted);
        if (refused is not null) return refused;
        var (_, issuing) = await authority.GetAsync(context.RequestAborted);
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8!, out _);
        CryptographicOperations.ZeroMemory(pkcs8!);
        using var signer = certificate.Certificate().CopyWithPrivateKey(key);
        var signedDocuments = new List<string>();
        var signatureObjects = new List<string>();
        for (var i = 0; i < documents.Count; i++)
        {
            var timeStamp = documents[i].ConformanceLevel != "AdES-B-B";
            try
            {
                if (documents[i].SignatureFormat == "P")
                    signedDocuments.Add(Convert.ToBase64String(await pades.SignAsync(contents[i]!, signer, issuing, now, $"{certificate.GivenName} {certificate.Surname}",
                        context.RequestAborted, timeStamp)));
                else
                    signatureObjects.Add(Convert.ToBase64String(await cades.SignDetachedAsync(contents[i]!, signer, issuing, now, context.RequestAborted, timeStamp: timeStamp)));
            }
            catch (Signing.UnsignablePdfException)
            {
                return Error("invalid_request", $"Document {i + 1} is a PDF that cannot be signed (damaged or encrypted)");
            }
            await bus.PublishAsync(new SignatureMade(Guid.CreateVersion7(now), holder!, certificate.CertificateId, now,
                $"document {i + 1} (" + (documents[i].SignatureFormat == "P" ? "PAdES" : "CAdES") + ")", "SHA-256", true,
                Automatic(certificate) ? SignatureChannel.Automatic : SignatureChannel.Api));
        }
        return Answer(new { DocumentWithSignature = signedDocuments, SignatureObject = signatureObjects });
    }

    private static string? FormatProblem(string? format, string? level, string? signAlgo) =>
        format is not ("P" or "C") ? "signature_format must be P (PAdES) or C (CAdES)"
        : level is not (null or "AdES-B-B" or "AdES-B-T") ? "conformance_level must be AdES-B-B or AdES-B-T"
        : signAlgo is not null && signAlgo != EcdsaWithSha256 ? "signAlgo must be ecdsa-with-SHA256"
        : null;

    /// <summary>
    /// signDoc with documentDigests: a CMS over each SHA-256 digest the client computed (for "C" a detached CAdES; for
    /// "P" the CMS the client puts in its prepared PDF's /Contents — no signing-time, as PAdES asks). Same SAD rules.
    /// </summary>
    private static async Task<IResult> SignDigests(HttpContext context, IDocumentStore store, IMessageBus bus, CertificateAuthority authority,
        Signing.CadesFromDigest signer, string holder, HolderCertificate certificate, string? sadText, List<SignDocDigests> sets, DateTimeOffset now)
    {
        var all = new List<(string Hash, bool TimeStamp, string Format)>();
        foreach (var set in sets)
        {
            if (FormatProblem(set.SignatureFormat, set.ConformanceLevel, set.SignAlgo) is { } problem) return Error("invalid_request", problem);
            if (set.HashAlgorithmOid is not null && set.HashAlgorithmOid != Sha256) return Error("invalid_request", "Only SHA-256 digests are supported");
            if (set.Hashes is not { Count: > 0 } hashes || hashes.Any(h => Decode(h)?.Length != 32)) return Error("invalid_request", "hashes must be base64 SHA-256 values");
            all.AddRange(hashes.Select(h => (h, set.ConformanceLevel != "AdES-B-B", set.SignatureFormat!)));
        }
        if (all.Count > 100) return Error("invalid_request", "At most 100 digests per call");
        if (certificate.StatusAt(now) != CertificateStatus.Active) return Error("invalid_request", $"The credential is {certificate.StatusAt(now).ToString().ToLowerInvariant()}");
        var (pkcs8, refused) = await SpendAsync(store, holder, certificate, sadText, all.Select(a => a.Hash).ToList(), now, context.RequestAborted);
        if (refused is not null) return refused;
        var (_, issuing) = await authority.GetAsync(context.RequestAborted);
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8!, out _);
        CryptographicOperations.ZeroMemory(pkcs8!);
        using var signing = certificate.Certificate().CopyWithPrivateKey(key);
        var signatures = new List<string>();
        foreach (var (hash, timeStamp, format) in all)
        {
            signatures.Add(Convert.ToBase64String(await signer.SignAsync(Decode(hash)!, signing, issuing, timeStamp, context.RequestAborted)));
            await bus.PublishAsync(new SignatureMade(Guid.CreateVersion7(now), holder, certificate.CertificateId, now,
                $"SHA-256 {Convert.ToHexString(Decode(hash)!)[..16].ToLowerInvariant()}… ({(format == "P" ? "PAdES" : "CAdES")})", "SHA-256", true,
                Automatic(certificate) ? SignatureChannel.Automatic : SignatureChannel.Api));
        }
        return Answer(new { DocumentWithSignature = Array.Empty<string>(), SignatureObject = signatures });
    }

    /// <summary>
    /// Spends <paramref name="hashes"/>.Count signatures of a SAD atomically (parallel calls cannot sign more than it
    /// allows; a SAD bound to hashes accepts only those) and opens the key it carries; or the refusal.
    /// </summary>
    private static async Task<(byte[]? Pkcs8, IResult? Refused)> SpendAsync(IDocumentStore store, string holder, HolderCertificate certificate, string? sadText,
        IReadOnlyList<string> hashes, DateTimeOffset now, CancellationToken cancellation)
    {
        var sad = Decode(sadText ?? "", urlSafe: true);
        if (sad is not { Length: 48 }) return (null, Error("invalid_request", "Invalid SAD"));
        CscAuthorization? grant;
        for (var round = 0; ; round++)
        {
            await using var session = store.LightweightSession();
            grant = await session.LoadAsync<CscAuthorization>(Convert.ToHexString(sad[..16]), cancellation);
            if (grant is null || grant.HolderId != holder || grant.CredentialId != certificate.CertificateId) return (null, Error("invalid_request", "Invalid SAD"));
            if (now >= grant.ExpiresAt) return (null, Error("invalid_request", "The SAD has expired"));
            if (hashes.Count > grant.Remaining) return (null, Error("invalid_request", "The SAD does not allow this many signatures"));
            if (grant.Hashes is { } bound && hashes.Any(h => !bound.Contains(h))) return (null, Error("invalid_request", "A hash was not authorized"));
            grant.Remaining -= hashes.Count;
            session.Store(grant);
            try { await session.SaveChangesAsync(cancellation); break; }
            catch (JasperFx.ConcurrencyException) when (round < 50) { }
        }
        var pkcs8 = new byte[grant.Ciphertext.Length];
        try
        {
            using (var aes = new AesGcm(sad[16..], 16)) aes.Decrypt(grant.Nonce, grant.Ciphertext, grant.Tag, pkcs8);
        }
        catch (AuthenticationTagMismatchException)
        {
            return (null, Error("invalid_request", "Invalid SAD"));
        }
        return (pkcs8, null);
    }

    private static async Task<string?> Holder(HttpContext context, IQuerySession session, TimeProvider clock)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 200) return null;
        var token = await session.LoadAsync<CscToken>(Hash(header[7..].Trim()), context.RequestAborted);
        return token is not null && token.ExpiresAt > clock.GetUtcNow() ? token.HolderId : null;
    }

    private static async Task<(string? Holder, HolderCertificate? Certificate, IResult? Error)> Credential<T>(HttpContext context, IQuerySession session, TimeProvider clock, Func<T, string?> credential)
    {
        var (holder, certificate, error, _) = await CredentialWithBody(context, session, clock, credential);
        return (holder, certificate, error);
    }

    private static async Task<(string? Holder, HolderCertificate? Certificate, IResult? Error, T? Body)> CredentialWithBody<T>(HttpContext context, IQuerySession session, TimeProvider clock, Func<T, string?> credential)
    {
        var holder = await Holder(context, session, clock);
        if (holder is null) return (null, null, InvalidToken(), default);
        var bytes = await MySign.Kernel.Web.RequestBody.ReadAsync(context.Request, MaxBody, context.RequestAborted);
        if (bytes is null) return (holder, null, Error("invalid_request", $"The body is larger than {MaxBody / (1024 * 1024)} MiB", 413), default);
        T? body;
        try { body = JsonSerializer.Deserialize<T>(bytes, Json); }
        catch (JsonException) { return (holder, null, Error("invalid_request", "The body is not valid JSON"), default); }
        if (body is null || !Guid.TryParse(credential(body), out var id)) return (holder, null, Error("invalid_request", "Missing or invalid credentialID"), body);
        var certificate = await session.LoadAsync<HolderCertificate>(holder, context.RequestAborted);
        // Another holder's credential reads exactly like one that does not exist.
        if (certificate is null || certificate.CertificateId != id) return (holder, null, Error("invalid_request", "Invalid credentialID"), body);
        return (holder, certificate, null, body);
    }

    private static byte[]? Decode(string value) => Decode(value, urlSafe: false);

    private static byte[]? Decode(string value, bool urlSafe)
    {
        try { return urlSafe ? System.Buffers.Text.Base64Url.DecodeFromChars(value) : Convert.FromBase64String(value); }
        catch (FormatException) { return null; }
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private static IResult Answer(object body) => Results.Json(body, Output);

    private static IResult InvalidToken() => Error("invalid_token", "Missing, invalid or expired access token", 401);

    private static IResult Error(string error, string description, int status = 400) =>
        Results.Json(new { error, error_description = description }, Output, statusCode: status);
}
