using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.TrustServices.Authority;
using MySign.Kernel.Data;
using MySign.Kernel.Web;
using Npgsql;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cmp;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;
using Org.BouncyCastle.X509;
using Wolverine.Http;

namespace MySign.TrustServices.Validation;

/// <summary>
/// The time-stamp authority (RFC 3161, ETSI EN 319 422): a token over the request's message imprint, signed by the
/// TSA's own certificate (extended key usage timeStamping, critical), with ESS signing-certificate-v2 (SHA-256), the
/// request's nonce echoed and the TSA certificate included when certReq asks, under MySign's time-stamping policy only
/// (a request naming another policy is refused, unacceptedPolicy) and for SHA-2 imprints only (MD5 and SHA-1: badAlg).
/// Every token carries esi4-qtstStatement-1 (a qualified electronic time-stamp, EN 319 422 §9.1). Serial numbers come
/// from a PostgreSQL sequence, so they are unique across every node. Time is the host's clock (UTC), which the
/// deployment keeps NTP-synchronised, written to the millisecond; the token states an accuracy of one second.
/// </summary>
public sealed class TimeStampAuthority(CertificateAuthority authority, NpgsqlDataSource database, TimeProvider clock)
{
    /// <summary>MySign's time-stamping policy (the TSA's practice statement), under MySign's OID arc.</summary>
    public const string Policy = "1.3.6.1.4.1.61999.1.2.1";
    public static readonly Weasel.Postgresql.Sequence Serials = Sequences.Define(TrustServicesModule.Schema, "tsa_serial");
    /// <summary>The imprints accepted: SHA-2 only (ETSI TS 119 312; MD5 and SHA-1 are refused with badAlg).</summary>
    private static readonly List<string> Algorithms = [TspAlgorithms.Sha256, TspAlgorithms.Sha384, TspAlgorithms.Sha512];
    private static readonly List<string> Policies = [Policy];
    /// <summary>qcStatements (RFC 3739) with esi4-qtstStatement-1 (0.4.0.19422.1.1): this token is a qualified electronic time-stamp.</summary>
    private static readonly X509Extensions Qualified = new(new Dictionary<DerObjectIdentifier, X509Extension>
    {
        [X509Extensions.QCStatements] = new(false, new DerOctetString(new DerSequence(new DerSequence(new DerObjectIdentifier("0.4.0.19422.1.1"))))),
    });

    public async Task<byte[]> RespondAsync(byte[] encoded, CancellationToken cancellation)
    {
        TimeStampRequest request;
        try
        {
            request = new TimeStampRequest(encoded);
            _ = request.MessageImprintAlgOid;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever bytes arrive, the answer is a TimeStampResp (RFC 3161 §2.4.2), never an error page.
            return Rejected(PkiFailureInfo.BadDataFormat, "The request is not an RFC 3161 TimeStampReq.");
        }
        try
        {
            request.Validate(Algorithms, Policies, null);
        }
        catch (TspValidationException e)
        {
            return Rejected(e.FailureCode, e.FailureCode == PkiFailureInfo.BadAlg ? "Only SHA-256, SHA-384 and SHA-512 imprints are time-stamped."
                : e.FailureCode == PkiFailureInfo.UnacceptedPolicy ? $"This TSA issues time-stamps under its policy {Policy} only." : e.Message);
        }
        var now = clock.GetUtcNow();
        var signer = await authority.GetSignerAsync(ServiceSigner.TimeStamping, now, cancellation);
        var certificate = new X509CertificateParser().ReadCertificate(signer.Certificate.RawData);
        var signerInfo = new SignerInfoGeneratorBuilder().Build(signer.Signer, certificate);
        var tokens = new TimeStampTokenGenerator(signerInfo, Asn1DigestFactory.Get(NistObjectIdentifiers.IdSha256), new DerObjectIdentifier(Policy), false);
        tokens.SetCertificates(CollectionUtilities.CreateStore(new[] { certificate }));
        tokens.SetAccuracySeconds(1);
        tokens.Resolution = Resolution.R_MILLISECONDS; // genTime is not truncated to the second: the one-second accuracy is the clock's alone
        var serial = BigInteger.ValueOf(await Sequences.NextAsync(database, TrustServicesModule.Schema, "tsa_serial", cancellation));
        var response = new TimeStampResponseGenerator(tokens, Algorithms, Policies).GenerateGrantedResponse(request, serial, now.UtcDateTime, "Granted", Qualified);
        return response.GetEncoded();
    }

    /// <summary>
    /// A token over a SHA-256 digest, from this TSA in-process (a CAdES signature's time-stamp): the same path as a
    /// client's request, nonce and certificate included.
    /// </summary>
    public async Task<byte[]> TokenForAsync(byte[] sha256, CancellationToken cancellation)
    {
        var requests = new TimeStampRequestGenerator();
        requests.SetCertReq(true);
        var nonce = new BigInteger(1, System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var request = requests.Generate(TspAlgorithms.Sha256, sha256, nonce);
        var response = new TimeStampResponse(await RespondAsync(request.GetEncoded(), cancellation));
        response.Validate(request);
        return response.TimeStampToken?.GetEncoded() ?? throw new InvalidOperationException("The TSA granted no token: " + response.GetStatusString());
    }

    private static byte[] Rejected(int failure, string text) =>
        new TimeStampResponseGenerator(null!, TspAlgorithms.Allowed).GenerateFailResponse(PkiStatus.Rejection, failure, text).GetEncoded();
}

public static class TimeStampEndpoints
{
    private const int MaxBody = 10_000;

    /// <summary>RFC 3161 §3.4: application/timestamp-query in, application/timestamp-reply out.</summary>
    [WolverinePost("/tsa"), AllowAnonymous, Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryToken(false)]
    public static async Task<IResult> Post(HttpContext context, TimeStampAuthority tsa)
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxBody, context.RequestAborted);
        return Results.Bytes(await tsa.RespondAsync(body ?? [], context.RequestAborted), "application/timestamp-reply");
    }
}
