using System.Security.Cryptography;
using MySign.Certificates.Contracts;
using MySign.Certificates.Custody;
using MySign.Certificates.Domain;
using MySign.RemoteSigning.Csc;

namespace MySign.Tests.RemoteSigning;

/// <summary>
/// The CSC API's rules without a token, a database or HTTP: which credential a call may name, what each request must
/// carry, the one status guard, and what a credential allows. The host tests beside them are CscApiTests.
/// </summary>
public sealed class CscRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
    private static readonly string Hash = Convert.ToBase64String(SHA256.HashData("a document"u8));
    private static readonly List<AuthDatum> PinAndOtp = [new("PIN", "52719364"), new("OTP", "123456")];

    /// <summary>A credential as the signature activation module describes it (its rule: SCAL, how many signatures, how long a SAD lives).</summary>
    private static SigningCredential Credential(bool automatic = false, string status = "active", DateTimeOffset? expiresAt = null) =>
        SigningDoorsHandler.Describe(new HolderCertificate
        {
            Id = "m123456", CertificateId = Guid.NewGuid(), Kind = automatic ? SignatureKind.Automatic : SignatureKind.Remote,
            Status = Enum.Parse<CertificateStatus>(status, ignoreCase: true), ExpiresAt = expiresAt ?? Now.AddYears(1),
        }, null);

    private static AuthorizeRequest Authorize(int? count = 1, List<string>? hashes = null, List<AuthDatum>? authData = null, string? hashAlgorithm = null) =>
        new("id", count, hashes, hashAlgorithm, authData ?? PinAndOtp, null, null);

    private static SignHashRequest SignHash(List<string>? hashes = null, string? signAlgo = CscApi.EcdsaWithSha256, string? hashAlgorithm = null, string? mode = null) =>
        new("id", "sad", hashes ?? [Hash], hashAlgorithm, signAlgo, null, mode, null);

    [Fact]
    public void a_credential_token_reaches_no_service_method_and_a_call_names_only_the_callers_own_credential()
    {
        CscRules.Scope(CscToken.CredentialScope, serviceOnly: true)!.Status.ShouldBe(403);
        CscRules.Scope(CscToken.CredentialScope, serviceOnly: false).ShouldBeNull();
        CscRules.Scope(CscToken.ServiceScope, serviceOnly: true).ShouldBeNull();

        CscRules.CredentialId(null, out _)!.Description.ShouldBe("Missing parameter credentialID");
        CscRules.CredentialId("not-a-guid", out _)!.Description.ShouldContain("not a credential identifier");
        var mine = Credential();
        CscRules.CredentialId(mine.CredentialId.ToString(), out var id).ShouldBeNull();
        CscRules.Owned(mine, id, tokenCredential: null).ShouldBeNull();
        // Someone else's credential, none at all, or another than the credential token's: the same answer, no oracle.
        var unknown = CscRules.Owned(mine, Guid.NewGuid(), null);
        CscRules.Owned(null, id, null).ShouldBe(unknown);
        CscRules.Owned(mine, id, tokenCredential: Guid.NewGuid()).ShouldBe(unknown);
    }

    [Theory]
    [InlineData("suspended", "The credential is suspended")]
    [InlineData("revoked", "The credential is revoked")]
    public void the_one_status_guard_refuses_a_credential_that_cannot_sign_now(string status, string said)
    {
        CscRules.NotActive(Credential(status: status), Now)!.Description.ShouldBe(said);
        var expired = Credential(expiresAt: Now);
        CscRules.NotActive(expired, Now)!.Description.ShouldBe("The credential is expired");
        CscRules.NotActive(Credential(), Now).ShouldBeNull();
    }

    [Fact]
    public void authorize_binds_a_remote_credentials_sad_to_its_hashes_and_counts()
    {
        var remote = Credential();
        CscRules.Authorize(Authorize(hashes: [Hash]), remote, Now, out var hashes).ShouldBeNull();
        hashes.ShouldBe([Hash]);
        CscRules.Authorize(Authorize(count: null), remote, Now, out _)!.Description.ShouldContain("numSignatures");
        CscRules.Authorize(Authorize(count: 1001, hashes: [Hash]), remote, Now, out _)!.Description.ShouldBe("numSignatures must be between 1 and 1000");
        CscRules.Authorize(Authorize(), remote, Now, out _)!.Description.ShouldContain("SCAL2");
        CscRules.Authorize(Authorize(count: 2, hashes: [Hash]), remote, Now, out _)!.Description.ShouldBe("hashes must be numSignatures base64 SHA-256 values");
        CscRules.Authorize(Authorize(hashes: ["not base64"]), remote, Now, out _)!.Description.ShouldBe("hashes must be numSignatures base64 SHA-256 values");
        CscRules.Authorize(Authorize(hashes: [Hash], hashAlgorithm: "1.3.14.3.2.26"), remote, Now, out _)!.Description.ShouldContain("only SHA-256");
        CscRules.Authorize(Authorize(hashes: [Hash], authData: [new("OTP", "1")]), remote, Now, out _)!.Description.ShouldBe("Missing authData PIN");
        CscRules.Authorize(Authorize(hashes: [Hash], authData: [new("pin", "1")]), remote, Now, out _)!.Description.ShouldBe("Missing authData OTP");
        // The request's own faults come first; a well-formed request for a suspended credential is told the status.
        CscRules.Authorize(Authorize(hashes: [Hash]), Credential(status: "suspended"), Now, out _)!.Description.ShouldBe("The credential is suspended");
    }

    [Fact]
    public void an_automatic_credential_is_scal1_with_a_batch_of_a_hundred_thousand_for_an_hour()
    {
        var automatic = Credential(automatic: true);
        (CscRules.Scal(automatic), CscRules.Limit(automatic), CscRules.Lifetime(automatic)).ShouldBe(("1", 100_000, TimeSpan.FromHours(1)));
        (CscRules.Scal(Credential()), CscRules.Limit(Credential()), CscRules.Lifetime(Credential())).ShouldBe(("2", 1000, TimeSpan.FromMinutes(5)));
        CscRules.Authorize(Authorize(count: 50_000), automatic, Now, out var hashes).ShouldBeNull("SCAL1: no hashes bound");
        hashes.ShouldBeNull();
    }

    [Fact]
    public void sign_hash_takes_ecdsa_p256_over_sha256_synchronously()
    {
        var remote = Credential();
        CscRules.SignHash(SignHash(), remote, Now, out var hashes).ShouldBeNull();
        hashes.ShouldBe([Hash]);
        CscRules.SignHash(SignHash(signAlgo: null), remote, Now, out _)!.Description.ShouldContain("signAlgo");
        CscRules.SignHash(SignHash(signAlgo: "1.2.840.113549.1.1.11"), remote, Now, out _)!.Description.ShouldContain("ECDSA P-256");
        CscRules.SignHash(SignHash(signAlgo: CscApi.EcPublicKey), remote, Now, out _)!.Description.ShouldContain("signAlgo does not name the hash");
        CscRules.SignHash(SignHash(signAlgo: CscApi.EcPublicKey, hashAlgorithm: CscApi.Sha256), remote, Now, out _).ShouldBeNull();
        CscRules.SignHash(SignHash(mode: "A"), remote, Now, out _)!.Description.ShouldContain("synchronous");
        CscRules.SignHash(SignHash(hashes: []), remote, Now, out _)!.Description.ShouldBe("hashes must be base64 SHA-256 values");
        CscRules.SignHash(SignHash(hashes: [Hash, "AAAA"]), remote, Now, out _)!.Description.ShouldBe("hashes must be base64 SHA-256 values");
        CscRules.SignHash(SignHash(), Credential(status: "revoked"), Now, out _)!.Description.ShouldBe("The credential is revoked");
    }

    [Theory]
    [InlineData("X", null, null, null, false, "signature_format must be P (PAdES) or C (CAdES)")]
    [InlineData("C", "AdES-B-LT", null, null, false, "conformance_level AdES-B-LT is offered for whole PDFs")]
    [InlineData("P", "AdES-B-LTA", null, null, true, "conformance_level AdES-B-LTA is offered for whole PDFs")]
    [InlineData("P", null, "1.2.840.113549.1.1.11", null, false, "signAlgo must be ecdsa-with-SHA256")]
    [InlineData("C", null, null, "Certification", false, "signed_envelope_property Certification is not offered for signature_format C")]
    [InlineData("P", null, null, "Certification", true, "signed_envelope_property Certification needs the whole PDF")]
    [InlineData("P", "AdES-B-LTA", null, "Certification", false, null)]
    [InlineData("C", "AdES-B-B", null, "Detached", true, null)]
    public void sign_doc_offers_each_format_only_where_it_can_deliver_it(string format, string? level, string? algo, string? envelope, bool digest, string? said)
    {
        var problem = CscRules.FormatProblem(format, level, algo, envelope, digest);
        if (said is null) problem.ShouldBeNull();
        else problem!.ShouldStartWith(said);
    }
}
