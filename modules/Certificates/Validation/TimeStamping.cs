using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Authority;
using MySign.Kernel.Data;
using MySign.Kernel.Web;
using Npgsql;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cmp;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;
using Org.BouncyCastle.X509;
using Wolverine.Http;

namespace MySign.Certificates.Validation;

/// <summary>
/// The time-stamp authority (RFC 3161): a token over the request's message imprint, signed by the TSA's own
/// certificate (extended key usage timeStamping, critical), with ESS signing-certificate-v2 (SHA-256), the request's
/// nonce echoed and the TSA certificate included when certReq asks. Serial numbers come from a PostgreSQL sequence,
/// so they are unique across every node. Time is the host's clock (UTC), which the deployment keeps NTP-synchronised;
/// the token states an accuracy of one second.
/// </summary>
public sealed class TimeStampAuthority(CertificateAuthority authority, NpgsqlDataSource database, TimeProvider clock)
{
    /// <summary>MySign's time-stamping policy (the TSA's practice statement), under MySign's OID arc.</summary>
    public const string Policy = "1.3.6.1.4.1.61999.1.2.1";
    public static readonly Weasel.Postgresql.Sequence Serials = Sequences.Define(CertificatesModule.Schema, "tsa_serial");

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
        var now = clock.GetUtcNow();
        var signer = await authority.GetSignerAsync(ServiceSigner.TimeStamping, now, cancellation);
        var certificate = new X509CertificateParser().ReadCertificate(signer.RawData);
        var key = PrivateKeyFactory.CreateKey(CertificateAuthority.PrivateKeyOf(signer));
        var signerInfo = new SignerInfoGeneratorBuilder().Build(new Asn1SignatureFactory("SHA256WITHECDSA", key), certificate);
        var tokens = new TimeStampTokenGenerator(signerInfo, Asn1DigestFactory.Get(NistObjectIdentifiers.IdSha256), new DerObjectIdentifier(Policy), false);
        tokens.SetCertificates(CollectionUtilities.CreateStore(new[] { certificate }));
        tokens.SetAccuracySeconds(1);
        var serial = BigInteger.ValueOf(await Sequences.NextAsync(database, CertificatesModule.Schema, "tsa_serial", cancellation));
        var response = new TimeStampResponseGenerator(tokens, TspAlgorithms.Allowed).Generate(request, serial, now.UtcDateTime);
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
