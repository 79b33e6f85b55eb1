using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using MySign.Accounts.Contracts;
using MySign.Certificates.Contracts;
using MySign.History.Contracts;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using MySign.Otp.Contracts;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace MySign.RemoteSigning.Csc;

public static class CscInfo
{
    [WolverinePost("/csc/v2/info"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Post(HttpContext context, PortalUrl portal)
    {
        var (request, error) = await CscApi.BodyAsync<InfoRequest>(context, allowEmpty: true);
        if (error is not null) return error;
        var language = CscRules.Language(request?.Lang);
        return CscApi.Answer(new
        {
            specs = CscApi.Specs, name = "MySign", logo = portal.For("/favicon.ico"), region = "IT", lang = CscRules.LangTag(language),
            description = Strings.T("csc.description", language), authType = new[] { "basic", "oauth2code" }, oauth2 = portal.For("/csc/v2"),
            oauth2Issuer = portal.Base,
            asynchronousOperationMode = false, methods = CscApi.Methods, validationInfo = false,
            // algoParams: ECDSA takes no parameters, so none is listed (the array is there: some clients require it).
            signAlgorithms = new { algos = new[] { CscApi.EcdsaWithSha256 }, algoParams = Array.Empty<string>() },
            signature_formats = new { formats = new[] { "C", "P" }, envelope_properties = CscRules.EnvelopeProperties },
            conformance_levels = CscRules.ConformanceLevels,
        });
    }
}

/// <summary>auth/login: HTTP Basic with the holder's User ID and password, answered with a service token.</summary>
public static class CscLogin
{
    [WolverinePost("/csc/v2/auth/login"), AllowAnonymous, RequireAntiforgeryToken(false), EnableRateLimiting(RateLimits.Login)]
    public static async Task<(IResult, IMartenOp)> Post(HttpContext context, IMessageBus bus, TimeProvider clock)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return Refused("HTTP Basic credentials are required");
        string decoded;
        try { decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return Refused("Malformed Basic credentials: not base64"); }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return Refused("Malformed Basic credentials: no user:password");
        var checkedCredentials = await bus.InvokeAsync<HolderCredentialsChecked>(new CheckHolderCredentials(decoded[..colon], decoded[(colon + 1)..]), context.RequestAborted);
        if (checkedCredentials.FactorRequired)
            return Refused("This holder asks for the OTP or passkey after the password, so a password alone signs in nowhere: " +
                "use OAuth 2.0 (oauth2/authorize with scope service), where the portal asks for it", "authentication_error");
        if (checkedCredentials.HolderId is null) return Refused("Invalid credentials", "authentication_error");
        var (token, stored, expiresIn) = CscApi.NewToken(checkedCredentials.HolderId, CscToken.ServiceScope, null, null, null, null, clock.GetUtcNow() + CscApi.TokenLifetime, clock);
        return (CscApi.Answer(new { access_token = token, expires_in = expiresIn }), MartenOps.Store(stored));
    }

    private static (IResult, IMartenOp) Refused(string description, string error = "invalid_request") =>
        (CscApi.Error(error, description, StatusCodes.Status401Unauthorized, CscApi.BasicChallenge), MartenOps.Nothing());
}

/// <summary>auth/revoke: ends one of the caller's own tokens (the one presented, or another named in "token"), and a credential token's SAD with it.</summary>
public static class CscRevoke
{
    public static Task<CscCall<RevokeRequest>> LoadAsync(HttpContext context, IDocumentSession session, TimeProvider clock) =>
        CscCalls.CallerAsync<RevokeRequest>(context, session, clock);

    public static IResult Validate([NotBody] CscCall<RevokeRequest> call) =>
        call.Refusal ?? (string.IsNullOrEmpty(call.Body.Token) ? CscApi.Error("invalid_request", "Missing (or invalid type) string parameter token")
            : call.Body.TokenTypeHint is not (null or "access_token") ? CscApi.Error("invalid_request", "Invalid parameter token_type_hint")
            : WolverineContinue.Result());

    [WolverinePost("/csc/v2/auth/revoke"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<(IResult, IMartenOp)> Post([NotBody] CscCall<RevokeRequest> call, HttpContext context, IDocumentSession session, IMessageBus bus)
    {
        // Someone else's token, or none at all, reads the same: nothing to say about it.
        var token = await session.LoadAsync<CscToken>(CscApi.Hash(call.Body.Token!), context.RequestAborted);
        return (Results.NoContent(), await CscApi.EndAsync(token is not null && token.HolderId == call.Caller.HolderId ? token : null, bus, context.RequestAborted));
    }
}

public static class CredentialsList
{
    private static readonly CredentialsListRequest Empty = new(null, null, null, null, null, null, null, null);

    public static Task<CscCall<CredentialsListRequest>> LoadAsync(HttpContext context, IQuerySession session, TimeProvider clock) =>
        CscCalls.CallerAsync(context, session, clock, Empty);

    public static IResult Validate([NotBody] CscCall<CredentialsListRequest> call) =>
        call.Refusal
        ?? (call.Body.UserId is { } user && !string.Equals(user, call.Caller.HolderId, StringComparison.OrdinalIgnoreCase) ? CscApi.Error("invalid_request", "Invalid parameter userID")
        : CscRules.CertificatesProblem(call.Body.Certificates) is { } problem ? CscApi.Error("invalid_request", problem)
        : WolverineContinue.Result());

    [WolverinePost("/csc/v2/credentials/list"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Post([NotBody] CscCall<CredentialsListRequest> call, HttpContext context, Signing.TrustServicesClient trust,
        IMessageBus bus, TimeProvider clock)
    {
        var (caller, request) = (call.Caller, call.Body);
        var certificate = (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(caller.HolderId), context.RequestAborted)).Credential;
        var now = clock.GetUtcNow();
        var credentials = certificate is null || (caller.CredentialId is { } only && only != certificate.CredentialId)
            || (request.OnlyValid == true && !certificate.ActiveOn(now)) ? [] : new[] { certificate };
        if (request.CredentialInfo != true)
            return CscApi.Answer(new { credentialIDs = credentials.Select(c => c.CredentialId.ToString()), onlyValid = request.OnlyValid == true ? true : (bool?)null }, omitNulls: true);
        var chain = await trust.ChainAsync(bus, context.RequestAborted);
        var passkey = request.AuthInfo == true && credentials.Length > 0 && await bus.ConfirmsWithPasskeyAsync(caller.HolderId, context.RequestAborted);
        return CscApi.Answer(new
        {
            credentialIDs = credentials.Select(c => c.CredentialId.ToString()),
            credentialInfos = credentials.Select(c => CscRules.Describe(c, chain, request.Certificates, request.CertInfo == true, request.AuthInfo == true, now,
                withId: true, passkey, CscRules.Language(request.Lang))),
            onlyValid = request.OnlyValid == true ? true : (bool?)null,
        }, omitNulls: true);
    }
}

public static class CredentialInfo
{
    public static Task<CscCall<CredentialInfoRequest>> LoadAsync(HttpContext context, IQuerySession session, IMessageBus bus, TimeProvider clock) =>
        CscCalls.CredentialAsync<CredentialInfoRequest>(context, session, bus, clock, r => r.CredentialId);

    public static IResult Validate([NotBody] CscCall<CredentialInfoRequest> call) =>
        call.Refusal ?? (CscRules.CertificatesProblem(call.Body.Certificates) is { } problem ? CscApi.Error("invalid_request", problem) : WolverineContinue.Result());

    [WolverinePost("/csc/v2/credentials/info"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Post([NotBody] CscCall<CredentialInfoRequest> call, HttpContext context, Signing.TrustServicesClient trust,
        IMessageBus bus, TimeProvider clock)
    {
        var request = call.Body;
        var passkey = request.AuthInfo != false && await bus.ConfirmsWithPasskeyAsync(call.Caller.HolderId, context.RequestAborted);
        return CscApi.Answer(CscRules.Describe(call.Credential, await trust.ChainAsync(bus, context.RequestAborted), request.Certificates, request.CertInfo == true,
            request.AuthInfo != false, clock.GetUtcNow(), withId: false, passkey, CscRules.Language(request.Lang)), omitNulls: true);
    }
}

/// <summary>credentials/sendOTP: a code for the caller's active credential; a credential that cannot sign (inactive, or its PIN blocked) gets none (no SMS goes out for nothing).</summary>
public static class SendCredentialOtp
{
    public static async Task<CscCall<SendOtpRequest>> LoadAsync(HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var call = await CscCalls.CredentialAsync<SendOtpRequest>(context, session, bus, clock, r => r.CredentialId, serviceOnly: true);
        return call.Refusal is not null ? call : call.Checked(CscRules.NotActive(call.Credential, clock.GetUtcNow()) ?? CscRules.PinBlocked(call.Credential));
    }

    public static IResult Validate([NotBody] CscCall<SendOtpRequest> call) => call.Verdict();

    [WolverinePost("/csc/v2/credentials/sendOTP"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<(IResult, IMartenOp)> Post([NotBody] CscCall<SendOtpRequest> call, HttpContext context, IMessageBus bus)
    {
        var (holder, credential) = (call.Caller.HolderId, call.Credential.CredentialId);
        var issued = await bus.SendOtpAsync(holder, CscApi.OtpPurpose, credential.ToString(), context.RequestAborted);
        if (issued.Channel == ReceptionMode.Passkey) return (CscApi.Error("invalid_request", CscApi.UseOAuth), MartenOps.Nothing());
        if (issued.Throttled)
            return (new CscApi.WithHeaders(CscApi.Error("invalid_request", $"An OTP was sent recently: retry in {issued.RetryAfterSeconds} seconds", 429),
                ("Retry-After", issued.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))), MartenOps.Nothing());
        return (Results.NoContent(), MartenOps.Store(new CscOtp { Id = $"{holder}:{credential}", ChallengeId = issued.ChallengeId }));
    }
}

/// <summary>credentials/authorize: authData PIN and OTP, checked by the signature activation module, give a SAD bound to the hashes.</summary>
public static class AuthorizeCredential
{
    public static async Task<CscCall<AuthorizeRequest>> LoadAsync(HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        var call = await CscCalls.CredentialAsync<AuthorizeRequest>(context, session, bus, clock, r => r.CredentialId, serviceOnly: true);
        return call.Refusal is not null ? call : call.Checked(CscRules.Authorize(call.Body, call.Credential, clock.GetUtcNow(), out var hashes), hashes);
    }

    public static IResult Validate([NotBody] CscCall<AuthorizeRequest> call) => call.Verdict();

    [WolverinePost("/csc/v2/credentials/authorize"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Post([NotBody] CscCall<AuthorizeRequest> call, HttpContext context, IDocumentSession session, IMessageBus bus,
        TimeProvider clock)
    {
        var (request, certificate, now) = (call.Body, call.Credential, clock.GetUtcNow());
        // The OTP first: it is single use, so the password alone (a bearer token) cannot probe PINs.
        var sent = await session.LoadAsync<CscOtp>($"{call.Caller.HolderId}:{certificate.CredentialId}", context.RequestAborted);
        if (sent is null) return CscApi.Error("invalid_otp", "The OTP is invalid");
        var otp = new SecondFactor(sent.ChallengeId, CscApi.OtpPurpose, certificate.CredentialId.ToString(), request.Value("OTP")!);
        var authorized = await bus.InvokeAsync<SignaturesAuthorized>(new AuthorizeSignatures(call.Caller.HolderId, certificate.CredentialId, request.Value("PIN")!, otp,
            AuthorizationDoor.CscAuthorize, request.NumSignatures!.Value, call.Hashes, now + CscRules.Lifetime(certificate)), context.RequestAborted);
        return authorized.Refused switch
        {
            null => CscApi.Answer(new { SAD = authorized.Sad, expiresIn = (int)(authorized.ExpiresAt - now).TotalSeconds }),
            { Field: "code" } => CscApi.Error("invalid_otp", "The OTP is invalid"),
            { Field: "pin", PinBlocked: var blocked } => CscApi.Error("invalid_pin", blocked ? "The PIN is blocked" : "The PIN is invalid"),
            { Field: "request" } exceeds => CscApi.Error("invalid_request", exceeds.ErrorKey),
            _ => CscApi.Error("invalid_request", "The credential is not active"),
        };
    }
}

public static class ExtendTransaction
{
    public static async Task<CscCall<ExtendTransactionRequest>> LoadAsync(HttpContext context, IDocumentStore store, IMessageBus bus, TimeProvider clock)
    {
        var call = await CscCalls.CredentialAsync<ExtendTransactionRequest>(context, store, bus, clock, r => r.CredentialId, serviceOnly: true);
        return call.Refusal is not null ? call : call.Checked(CscRules.NotActive(call.Credential, clock.GetUtcNow()));
    }

    public static IResult Validate([NotBody] CscCall<ExtendTransactionRequest> call) => call.Verdict();

    [WolverinePost("/csc/v2/credentials/extendTransaction"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Post([NotBody] CscCall<ExtendTransactionRequest> call, HttpContext context, IMessageBus bus, TimeProvider clock)
    {
        var (certificate, now) = (call.Credential, clock.GetUtcNow());
        var extended = await bus.InvokeAsync<SadExtended>(new ExtendSad(call.Caller.HolderId, certificate.CredentialId, call.Body.Sad, CscRules.Lifetime(certificate)),
            context.RequestAborted);
        if (extended.Refusal is not null) return CscApi.Error("invalid_request", extended.Refusal);
        return CscApi.Answer(new { SAD = extended.Sad, expiresIn = (int)(extended.ExpiresAt - now).TotalSeconds });
    }
}

public static class SignHash
{
    public static async Task<CscCall<SignHashRequest>> LoadAsync(HttpContext context, IDocumentStore store, IMessageBus bus, TimeProvider clock)
    {
        var call = await CscCalls.CredentialAsync<SignHashRequest>(context, store, bus, clock, r => r.CredentialId);
        return call.Refusal is not null ? call : call.Checked(CscRules.SignHash(call.Body, call.Credential, clock.GetUtcNow(), out var hashes), hashes);
    }

    public static IResult Validate([NotBody] CscCall<SignHashRequest> call) => call.Verdict();

    /// <summary>
    /// The signature activation module spends the SAD and signs in the token; the same call again (its answer was lost) is
    /// answered with the signatures kept for it, and filed under the same ids.
    /// </summary>
    [WolverinePost("/csc/v2/signatures/signHash"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<(IResult, OutgoingMessages)> Post([NotBody] CscCall<SignHashRequest> call, HttpContext context, IMessageBus bus, TimeProvider clock)
    {
        var (caller, certificate, hashes, now) = (call.Caller, call.Credential, call.Hashes!, clock.GetUtcNow());
        var signed = await bus.InvokeAsync<SadSignatures>(new SignHashesWithSad(caller.HolderId, certificate.CredentialId, caller.Sad(call.Body.Sad), hashes),
            context.RequestAborted);
        if (signed.Refusal is not null) return (CscApi.Error("invalid_request", signed.Refusal), []);
        var made = hashes.Select((h, i) => new MadeSignature(signed.SignatureIds[i], "SHA-256 " + Convert.ToHexString(Convert.FromBase64String(h), 0, 8).ToLowerInvariant() + "…"));
        return (CscApi.Answer(new { signatures = signed.Signatures.Select(Convert.ToBase64String).ToArray() }),
            [new SignaturesMade(caller.HolderId, certificate.CredentialId, now, "SHA-256", CscApi.Channel(certificate), made.ToList())]);
    }
}

/// <summary>
/// signatures/signDoc: whole documents, signed here as CSC's signature_format "P" (PAdES, the PDF returned signed
/// inside) or "C" (a detached CAdES signature), conformance_level AdES-B-T (with our TSA's time-stamp) or
/// AdES-B-B; or documentDigests, a CMS over each digest. The same SAD rules as signHash: one signature per document,
/// and a SAD bound to hashes accepts only documents whose SHA-256 it lists.
/// </summary>
public static class SignDoc
{
    public static Task<CscCall<SignDocRequest>> LoadAsync(HttpContext context, IDocumentStore store, IMessageBus bus, TimeProvider clock) =>
        CscCalls.CredentialAsync<SignDocRequest>(context, store, bus, clock, r => r.CredentialId);

    public static IResult Validate([NotBody] CscCall<SignDocRequest> call) => call.Verdict();

    [WolverinePost("/csc/v2/signatures/signDoc"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<(IResult, OutgoingMessages)> Post([NotBody] CscCall<SignDocRequest> call, HttpContext context, Signing.TrustServicesClient trust, Signing.Cades cades, Signing.Pades pades, IMessageBus bus, TimeProvider clock)
    {
        var (caller, certificate, request, now) = (call.Caller, call.Credential, call.Body, clock.GetUtcNow());
        // Everything is read and checked before the SAD is spent: a refusal costs the client nothing.
        var (jobs, problem) = Jobs(request, $"{certificate.GivenName} {certificate.Surname}", now);
        if (problem is not null) return (CscApi.Error("invalid_request", problem), []);
        if (CscRules.NotActive(certificate, now) is { } inactive) return (CscCalls.Refuse(inactive), []);
        var method = "signDoc " + string.Join(",", jobs.Select(j => $"{j.Format}/{j.Level}/{j.Envelope}/{(j.Document is null ? "digest" : "document")}"));
        // Each signature's signed attributes are drafted first; the signature activation module spends the SAD for the
        // documents' hashes and signs the drafts' hashes in the token, one unwrap for the call.
        var (_, issuing) = await trust.ChainAsync(bus, context.RequestAborted);
        using var signer = X509CertificateLoader.LoadCertificate(certificate.Der);
        var drafts = jobs.Select(j => j.Pdf is not null ? Signing.Pades.Draft(j.Pdf, signer, issuing)
            : Signing.Cades.Draft(Convert.FromBase64String(j.Hash), signer, issuing, j.Document is not null ? now : null)).ToList();
        var signed = await bus.InvokeAsync<SadSignatures>(new SignDocumentsWithSad(caller.HolderId, certificate.CredentialId, caller.Sad(request.Sad),
            jobs.Select(j => j.Hash).ToList(), method, drafts.Select(d => d.Hash).ToList()), context.RequestAborted);
        if (signed.Refusal is not null) return (CscApi.Error("invalid_request", signed.Refusal), []);
        var signedDocuments = new List<string>();
        var signatureObjects = new List<string>();
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            if (job.Pdf is not null)
                signedDocuments.Add(Convert.ToBase64String(await pades.CompleteAsync(job.Pdf, drafts[i], signed.Signatures[i], now, bus, context.RequestAborted, PadesLevels[job.Level])));
            else
                signatureObjects.Add(Convert.ToBase64String(await cades.CompleteAsync(drafts[i], signed.Signatures[i], timeStamp: job.Level != "AdES-B-B", bus, context.RequestAborted)));
        }
        var made = jobs.Select((j, i) => new MadeSignature(signed.SignatureIds[i], j.Name)).ToList();
        return (CscApi.Answer(new { DocumentWithSignature = signedDocuments, SignatureObject = signatureObjects }),
            [new SignaturesMade(caller.HolderId, certificate.CredentialId, now, "SHA-256", CscApi.Channel(certificate), made)]);
    }

    private static readonly Dictionary<string, Signing.PadesLevel> PadesLevels = new()
    {
        ["AdES-B-B"] = Signing.PadesLevel.BB, ["AdES-B-T"] = Signing.PadesLevel.BT, ["AdES-B-LT"] = Signing.PadesLevel.BLT, ["AdES-B-LTA"] = Signing.PadesLevel.BLTA,
    };

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
            if (documents[i] is not { } d) return (jobs, $"documents[{i}] must be an object");
            if (CscRules.FormatProblem(d.SignatureFormat, d.ConformanceLevel, d.SignAlgo, d.SignedEnvelopeProperty, digest: false) is { } problem) return (jobs, $"documents[{i}]: {problem}");
            var envelope = d.SignedEnvelopeProperty ?? (d.SignatureFormat == "P" ? "Revision" : "Detached");
            if (CscApi.Decode(d.Document) is not { Length: > 0 } content) return (jobs, $"documents[{i}].document must be base64 content");
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
            if (digestSets[i] is not { } set) return (jobs, $"documentDigests[{i}] must be an object");
            if (CscRules.FormatProblem(set.SignatureFormat, set.ConformanceLevel, set.SignAlgo, set.SignedEnvelopeProperty, digest: true) is { } problem)
                return (jobs, $"documentDigests[{i}]: {problem}");
            if (set.HashAlgorithmOid is not (null or CscApi.Sha256)) return (jobs, $"documentDigests[{i}].hashAlgorithmOID: only SHA-256 ({CscApi.Sha256}) is supported");
            var hashes = set.Hashes?.Select(CscHashes.Canonical).ToList();
            if (hashes is not { Count: > 0 } || hashes.Any(h => h is null)) return (jobs, $"documentDigests[{i}].hashes must be base64 SHA-256 values");
            jobs.AddRange(hashes.Select(h => new SignJob(h!, set.SignatureFormat!, set.ConformanceLevel ?? "AdES-B-T", set.SignedEnvelopeProperty ?? "", null, null,
                $"SHA-256 {Convert.ToHexString(Convert.FromBase64String(h!), 0, 8).ToLowerInvariant()}… ({(set.SignatureFormat == "P" ? "PAdES" : "CAdES")})")));
        }
        return jobs.Count > 100 ? (jobs, "At most 100 documents and digests per call") : (jobs, null);
    }

}
