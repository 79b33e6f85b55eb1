using System.Security.Cryptography.X509Certificates;
using MySign.Certificates.Contracts;
using MySign.Kernel.Localization;

namespace MySign.RemoteSigning.Csc;

/// <summary>A CSC refusal as the specification words it: the error code, its description and the HTTP status.</summary>
public sealed record CscProblem(string Error, string Description, int Status = 400);

/// <summary>
/// The CSC API's rules, pure: what a credential allows (SCAL, how many signatures, how long a SAD lives), which requests
/// are refused and why, and how a credential is described. The endpoints read the token, the body and the certificate,
/// ask these rules, and only then act.
/// </summary>
public static class CscRules
{
    public static bool Automatic(SigningCredential c) => c.Automatic;
    /// <summary>Sole control, as the signature activation module rules it: a remote signature key is SCAL2 (every SAD bound to its hashes); an automatic seal-like key SCAL1.</summary>
    public static string Scal(SigningCredential c) => c.BindsHashes ? "2" : "1";
    public static int Limit(SigningCredential c) => c.MaxSignatures;
    public static TimeSpan Lifetime(SigningCredential c) => c.SadLifetime;

    /// <summary>The one status guard of every method that signs or prepares a signature: a credential not active now (suspended, revoked, expired) is refused.</summary>
    public static CscProblem? NotActive(SigningCredential certificate, DateTimeOffset now) =>
        certificate.StatusOn(now) is var status && status != "active" ? new CscProblem("invalid_request", $"The credential is {status}") : null;

    /// <summary>A credential whose PIN is blocked signs nothing: no code is sent for it (the PIN is counted by the signature activation module).</summary>
    public static CscProblem? PinBlocked(SigningCredential certificate) =>
        certificate.PinAttemptsLeft == 0 ? new CscProblem("invalid_request", "The PIN is blocked") : null;

    /// <summary>
    /// Whose credential a call names: a credential-scope token reaches only its credential, and never the service methods
    /// (sendOTP, authorize, extendTransaction); another holder's credential reads exactly like one that does not exist.
    /// </summary>
    public static CscProblem? Scope(string tokenScope, bool serviceOnly) =>
        serviceOnly && tokenScope != CscToken.ServiceScope
            ? new CscProblem("insufficient_scope", "This access token's scope is credential: this method needs scope service", 403) : null;

    public static CscProblem? CredentialId(string? named, out Guid id)
    {
        id = Guid.Empty;
        if (named is not { Length: > 0 }) return new CscProblem("invalid_request", "Missing parameter credentialID");
        return Guid.TryParse(named, out id) ? null : new CscProblem("invalid_request", "Invalid parameter credentialID: not a credential identifier");
    }

    public static CscProblem? Owned(SigningCredential? certificate, Guid id, Guid? tokenCredential) =>
        certificate is null || certificate.CredentialId != id || (tokenCredential is { } only && only != id)
            ? new CscProblem("invalid_request", "Invalid parameter credentialID") : null;

    public static string? CertificatesProblem(string? certificates) =>
        certificates is null or "none" or "single" or "chain" ? null : "Invalid parameter certificates";

    /// <summary>credentials/authorize: the request's problem, in the order the specification's parameters come, then the credential's status; and the hashes it binds, canonical.</summary>
    public static CscProblem? Authorize(AuthorizeRequest request, SigningCredential certificate, DateTimeOffset now, out List<string>? hashes)
    {
        hashes = request.Hashes?.Select(CscHashes.Canonical).ToList()!;
        if (request.NumSignatures is not { } count) return Invalid("Missing (or invalid type) integer parameter numSignatures");
        if (count < 1 || count > Limit(certificate)) return Invalid($"numSignatures must be between 1 and {Limit(certificate)}");
        if (request.HashAlgorithmOid is not (null or CscApi.Sha256)) return Invalid("Invalid parameter hashAlgorithmOID: only SHA-256 is supported");
        if (hashes is null && Scal(certificate) == "2") return Invalid("Missing parameter hashes: this credential is SCAL2, a SAD is bound to the hashes it signs");
        if (hashes is not null && (hashes.Count != count || hashes.Any(h => h is null))) return Invalid("hashes must be numSignatures base64 SHA-256 values");
        if (NotActive(certificate, now) is { } inactive) return inactive;
        if (string.IsNullOrEmpty(request.Value("PIN"))) return Invalid("Missing authData PIN");
        if (string.IsNullOrEmpty(request.Value("OTP"))) return Invalid("Missing authData OTP");
        return null;
    }

    /// <summary>signatures/signHash: the request's problem (algorithm, hash, mode, hashes), then the credential's status; and the hashes, canonical.</summary>
    public static CscProblem? SignHash(SignHashRequest request, SigningCredential certificate, DateTimeOffset now, out List<string> hashes)
    {
        var canonical = request.Hashes?.Select(CscHashes.Canonical).ToList();
        hashes = canonical is not null && canonical.TrueForAll(h => h is not null) ? canonical.ConvertAll(h => h!) : [];
        if (string.IsNullOrEmpty(request.SignAlgo)) return Invalid("Missing (or invalid type) string parameter signAlgo");
        if (request.SignAlgo is not (CscApi.EcdsaWithSha256 or CscApi.EcPublicKey)) return Invalid("Invalid parameter signAlgo: the key is ECDSA P-256 (1.2.840.10045.4.3.2)");
        if (request.HashAlgorithmOid is not (null or CscApi.Sha256)) return Invalid("Invalid parameter hashAlgorithmOID: only SHA-256 is supported");
        if (request.SignAlgo == CscApi.EcPublicKey && request.HashAlgorithmOid is null) return Invalid("Missing parameter hashAlgorithmOID: signAlgo does not name the hash");
        if (request.OperationMode is not (null or "S")) return Invalid("Invalid parameter operationMode: only synchronous (S) signing is offered");
        if (hashes.Count == 0) return Invalid("hashes must be base64 SHA-256 values");
        return NotActive(certificate, now);
    }

    /// <summary>The conformance levels offered (info says so): B-LT and B-LTA for whole PDFs, where the validation data goes into the document.</summary>
    public static readonly string[] ConformanceLevels = ["AdES-B-B", "AdES-B-T", "AdES-B-LT", "AdES-B-LTA"];
    /// <summary>signed_envelope_property per signature_format, in the order info lists the formats (C, P).</summary>
    public static readonly string[][] EnvelopeProperties = [["Detached"], ["Certification", "Revision"]];

    /// <summary>signatures/signDoc: what is wrong with one document's or digest set's format, level, algorithm and envelope, or null.</summary>
    public static string? FormatProblem(string? format, string? level, string? signAlgo, string? envelope, bool digest) =>
        format is not ("P" or "C") ? "signature_format must be P (PAdES) or C (CAdES)"
        : level is not null && !ConformanceLevels.Contains(level) ? $"conformance_level must be one of {string.Join(", ", ConformanceLevels)}"
        : level is "AdES-B-LT" or "AdES-B-LTA" && (format != "P" || digest)
            ? $"conformance_level {level} is offered for whole PDFs (signature_format P with documents) only: the validation data goes into the document"
        : signAlgo is not (null or CscApi.EcdsaWithSha256) ? $"signAlgo must be ecdsa-with-SHA256 ({CscApi.EcdsaWithSha256})"
        : envelope is not null && !EnvelopeProperties[format == "C" ? 0 : 1].Contains(envelope)
            ? $"signed_envelope_property {envelope} is not offered for signature_format {format}: use {string.Join(" or ", EnvelopeProperties[format == "C" ? 0 : 1])}"
        : envelope == "Certification" && digest ? "signed_envelope_property Certification needs the whole PDF (documents), not documentDigests"
        : null;

    /// <summary>CSC's lang (a BCP 47 tag such as it-IT or en-US): Italian or English, English for anything else.</summary>
    public static string Language(string? lang) => lang is { Length: >= 2 } && lang[..2].Equals("it", StringComparison.OrdinalIgnoreCase) ? "it" : "en";

    public static string LangTag(string language) => language == "it" ? "it-IT" : "en-US";

    /// <summary>A credential as credentials/info (and list's credentialInfos) describe it, in v2's shape.</summary>
    public static object Describe(SigningCredential certificate, (X509Certificate2 Root, X509Certificate2 Issuing) chain, string? certificates, bool certInfo, bool authInfo, DateTimeOffset now, bool withId,
        bool passkey = false, string language = "en")
    {
        using var x509 = X509CertificateLoader.LoadCertificate(certificate.Der);
        var status = certificate.StatusOn(now);
        var ders = (certificates ?? "single") switch
        {
            "none" => null,
            "chain" => new[] { Convert.ToBase64String(certificate.Der), Convert.ToBase64String(chain.Issuing.RawData), Convert.ToBase64String(chain.Root.RawData) },
            _ => new[] { Convert.ToBase64String(certificate.Der) },
        };
        return new
        {
            credentialID = withId ? certificate.CredentialId.ToString() : null,
            description = Strings.T(Automatic(certificate) ? "csc.credential.automatic" : "csc.credential.remote", language),
            signatureQualifier = Automatic(certificate) ? null : "eu_eidas_qes",
            key = new { status = status == "active" && certificate.PinAttemptsLeft > 0 ? "enabled" : "disabled", algo = new[] { CscApi.EcdsaWithSha256, CscApi.EcPublicKey }, len = 256, curve = "1.2.840.10045.3.1.7" },
            cert = new
            {
                status = status == "active" ? "valid" : status,
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

    private static CscProblem Invalid(string description) => new("invalid_request", description);
}
