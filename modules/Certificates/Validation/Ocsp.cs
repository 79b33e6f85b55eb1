using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Authority;
using MySign.Certificates.Domain;
using MySign.Kernel.Web;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;
using Wolverine.Http;
using BcCertificateStatus = Org.BouncyCastle.Ocsp.CertificateStatus;

namespace MySign.Certificates.Validation;

/// <summary>
/// The OCSP responder (RFC 6960) named in every holder certificate's Authority Information Access: good for a
/// certificate we issued that is in force, revoked with its reason and time (certificateHold while suspended,
/// superseded after a renewal), unknown for a serial we never issued or another issuer. Answers are signed live by
/// the delegated OCSP signer, so a status change shows in the very next response; the request's nonce is echoed.
/// </summary>
public sealed class OcspResponder(CertificateAuthority authority, IDocumentStore store, TimeProvider clock)
{
    /// <summary>How long a relying party may keep a "good" or "revoked" answer.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(10);
    private const int MaxRequests = 20;

    public async Task<byte[]> RespondAsync(byte[] encoded, CancellationToken cancellation)
    {
        OcspReq request;
        Req[] requests;
        try
        {
            request = new OcspReq(encoded);
            requests = request.GetRequestList();
            _ = request.RequestExtensions;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever bytes arrive, the answer is an OCSP response (RFC 6960 §2.3), never an error page.
            return Failure(OcspRespStatus.MalformedRequest);
        }
        if (requests.Length is 0 or > MaxRequests) return Failure(OcspRespStatus.MalformedRequest);

        var now = clock.GetUtcNow();
        var (_, issuing) = await authority.GetAsync(cancellation);
        var signer = await authority.GetSignerAsync(ServiceSigner.Ocsp, now, cancellation);
        var issuer = new X509CertificateParser().ReadCertificate(issuing.RawData);
        var signerCertificate = new X509CertificateParser().ReadCertificate(signer.Certificate.RawData);

        var generator = new BasicOcspRespGenerator(new RespID(signerCertificate.SubjectDN));
        await using var session = store.QuerySession();
        foreach (var single in requests)
        {
            var id = single.GetCertID();
            generator.AddResponse(id, await StatusOf(session, id, issuer, cancellation), now.UtcDateTime, (now + Freshness).UtcDateTime, null);
        }
        if (request.RequestExtensions?.GetExtension(OcspObjectIdentifiers.PkixOcspNonce) is { } nonce)
            generator.SetResponseExtensions(new X509Extensions(new Dictionary<Org.BouncyCastle.Asn1.DerObjectIdentifier, X509Extension>
            {
                [OcspObjectIdentifiers.PkixOcspNonce] = nonce,
            }));
        var basic = generator.Generate(signer.Signer, [signerCertificate], now.UtcDateTime);
        return new OCSPRespGenerator().Generate(OCSPRespGenerator.Successful, basic).GetEncoded();
    }

    private static async Task<BcCertificateStatus?> StatusOf(IQuerySession session, CertificateID id, X509Certificate issuer, CancellationToken cancellation)
    {
        if (!id.MatchesIssuer(issuer)) return new UnknownStatus();
        var serial = Convert.ToHexString(id.SerialNumber.ToByteArrayUnsigned());
        var revoked = await session.LoadAsync<RevocationEntry>(serial, cancellation);
        if (revoked is not null) return new RevokedStatus(revoked.RevokedAt.UtcDateTime, (int)revoked.Reason);
        var issued = await session.Query<HolderCertificate>().AnyAsync(c => c.SerialNumber == serial, cancellation)
                     || await session.LoadAsync<ServiceCertificate>(serial, cancellation) is not null;
        return issued ? BcCertificateStatus.Good : new UnknownStatus();
    }

    private static byte[] Failure(int status) => new OCSPRespGenerator().Generate(status, null).GetEncoded();
}

public static class OcspEndpoints
{
    public const string ContentType = "application/ocsp-response";
    private const int MaxBody = 10_000;

    /// <summary>RFC 6960 A.1: the DER request in the body, application/ocsp-request.</summary>
    [WolverinePost("/ocsp"), AllowAnonymous, Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryToken(false)]
    public static async Task<IResult> Post(HttpContext context, OcspResponder responder)
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxBody, context.RequestAborted);
        return await Answer(responder, body, context);
    }

    /// <summary>RFC 6960 A.1: the DER request, base64 then URL-encoded, in the path.</summary>
    [WolverineGet("/ocsp/{request}"), AllowAnonymous]
    public static async Task<IResult> Get(string request, HttpContext context, OcspResponder responder)
    {
        byte[]? der;
        try
        {
            der = Convert.FromBase64String(Uri.UnescapeDataString(request));
        }
        catch (FormatException)
        {
            der = [];
        }
        return await Answer(responder, der, context);
    }

    private static async Task<IResult> Answer(OcspResponder responder, byte[]? der, HttpContext context)
    {
        var response = await responder.RespondAsync(der ?? [], context.RequestAborted);
        // Never kept by an HTTP cache: the portal promises that a suspension shows in the very next answer, GET included.
        context.Response.Headers.CacheControl = "no-store";
        return Results.Bytes(response, ContentType);
    }
}
