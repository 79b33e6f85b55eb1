using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.TrustServices.Authority;
using MySign.TrustServices.Domain;
using MySign.Kernel.Web;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;
using X509Certificate2 = System.Security.Cryptography.X509Certificates.X509Certificate2;
using Wolverine.Http;
using BcCertificateStatus = Org.BouncyCastle.Ocsp.CertificateStatus;

namespace MySign.TrustServices.Validation;

/// <summary>
/// The OCSP responder (RFC 6960) named in every holder certificate's Authority Information Access: good for a
/// certificate we issued that is in force, revoked with its reason and time (certificateHold while suspended,
/// superseded after a renewal), unknown for a serial we never issued or another issuer. Answers are signed by the
/// delegated OCSP signer after the status is read, so a status change shows in the very next response; the request's
/// nonce is echoed. An answer to a request without a nonce is pre-produced (RFC 5019 §2.2, RFC 6960 §2.4): served again
/// for <see cref="Reuse"/> while the statuses read for it are still the ones it states; a changed status signs anew.
/// </summary>
public sealed class OcspResponder(CertificateAuthority authority, IDocumentStore store, NpgsqlDataSource database, TimeProvider clock)
{
    /// <summary>How long a relying party may keep a "good" or "revoked" answer.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(10);
    private const int MaxRequests = 20;

    /// <summary>How long a signed answer without a nonce is served again while every status it states is the current one.</summary>
    public static readonly TimeSpan Reuse = TimeSpan.FromSeconds(30);
    private const int MaxProduced = 10_000;
    private readonly ConcurrentDictionary<string, Produced> _produced = new();
    private int _producedCount;

    private sealed record Produced(string Statuses, DateTimeOffset At, byte[] Response);

    /// <summary>The answer to a relying party's request, pre-produced when the request carries no nonce.</summary>
    public Task<byte[]> AnswerAsync(byte[] encoded, CancellationToken cancellation) => RespondAsync(encoded, cancellation, reuse: true);

    /// <summary>An answer signed now (the signing flows embed it next to a signature made a moment ago).</summary>
    public Task<byte[]> RespondAsync(byte[] encoded, CancellationToken cancellation) => RespondAsync(encoded, cancellation, reuse: false);

    private async Task<byte[]> RespondAsync(byte[] encoded, CancellationToken cancellation, bool reuse)
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
        var issuer = Parsed(issuing);
        var signerCertificate = Parsed(signer.Certificate);

        var statuses = await StatusesAsync(requests.Select(r => r.GetCertID()).ToList(), issuer, cancellation);

        var nonce = request.RequestExtensions?.GetExtension(OcspObjectIdentifiers.PkixOcspNonce);
        // The request's certificate ids and the signer name the answer; the statuses read now say whether it may be served again.
        // Keyed by a digest, so a kept answer costs its own bytes and a few more, whatever the size of the request.
        var asked = reuse && nonce is null ? Convert.ToHexString(SHA256.HashData(encoded)) + "|" + signer.Certificate.Thumbprint : null;
        var stated = string.Join(",", statuses.Select(Describe));
        if (asked is not null && _produced.TryGetValue(asked, out var produced) && produced.Statuses == stated
            && produced.At <= now && now - produced.At < Reuse)
            return produced.Response;

        var generator = new BasicOcspRespGenerator(new RespID(signerCertificate.SubjectDN));
        foreach (var (single, status) in requests.Zip(statuses))
            generator.AddResponse(single.GetCertID(), status, now.UtcDateTime, (now + Freshness).UtcDateTime, null);
        if (nonce is not null)
            generator.SetResponseExtensions(new X509Extensions(new Dictionary<DerObjectIdentifier, X509Extension>
            {
                [OcspObjectIdentifiers.PkixOcspNonce] = nonce,
            }));
        var basic = generator.Generate(signer.Signer, [signerCertificate], now.UtcDateTime);
        var response = new OCSPRespGenerator().Generate(OCSPRespGenerator.Successful, basic).GetEncoded();
        if (asked is not null)
        {
            // At most MaxProduced answers (about 2 KB each) per node; past that the table starts again, counted without
            // taking the dictionary's locks.
            if (Interlocked.Increment(ref _producedCount) > MaxProduced)
            {
                _produced.Clear();
                Interlocked.Exchange(ref _producedCount, 0);
            }
            _produced[asked] = new Produced(stated, now, response);
        }
        return response;
    }

    private static string Describe(BcCertificateStatus? status) => status switch
    {
        null => "good",
        RevokedStatus revoked => $"revoked {revoked.RevocationTime:O} {(revoked.HasRevocationReason ? revoked.RevocationReason : -1)}",
        _ => "unknown",
    };

    /// <summary>
    /// The status of each certificate asked about, read in one statement: the responder's cost is its round trips to the
    /// database, so the revocation list, the certificates the CA issued and its service certificates are read together.
    /// </summary>
    private async Task<List<BcCertificateStatus>> StatusesAsync(List<CertificateID> ids, X509Certificate issuer, CancellationToken cancellation)
    {
        // Matching the issuer hashes its name and key: once per id.
        var serials = ids.Select(id => Ours(id, issuer) ? Convert.ToHexString(id.SerialNumber.ToByteArrayUnsigned()) : null).ToList();
        var ours = serials.OfType<string>().Distinct().ToArray();
        var found = new Dictionary<string, BcCertificateStatus>();
        if (ours.Length > 0)
        {
            await using var connection = await database.OpenConnectionAsync(cancellation);
            await using var command = new NpgsqlCommand(StatusSql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = ours, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            // Prepared once per pooled connection (Npgsql keeps it): planning the statement cost more than running it.
            await command.PrepareAsync(cancellation);
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
                found[reader.GetString(0)] = !await reader.IsDBNullAsync(1, cancellation)
                    ? Revoked(store.Options.Serializer().FromJson<RevocationEntry>(reader, 1))
                    : reader.GetBoolean(2) ? BcCertificateStatus.Good : new UnknownStatus();
        }
        return serials.Select(serial => serial is null ? new UnknownStatus() : found[serial]).ToList();
    }

    /// <summary>Whether the id names our issuing CA; an id hashed with an algorithm we do not know names a certificate we do not know.</summary>
    private static bool Ours(CertificateID id, X509Certificate issuer)
    {
        try
        {
            return id.MatchesIssuer(issuer);
        }
        catch (OcspException)
        {
            return false;
        }
    }

    private static RevokedStatus Revoked(RevocationEntry entry) => new(entry.RevokedAt.UtcDateTime, (int)entry.Reason);

    private static readonly string StatusSql =
        $"select s.serial, r.data, " +
        $"exists (select 1 from {TrustServicesModule.Schema}.mt_doc_issuedcertificate i where i.id = s.serial) " +
        $"or exists (select 1 from {TrustServicesModule.Schema}.mt_doc_servicecertificate c where c.id = s.serial) " +
        $"from unnest($1::text[]) as s(serial) left join {TrustServicesModule.Schema}.mt_doc_revocationentry r on r.id = s.serial";

    /// <summary>The authority's certificates as BouncyCastle reads them, parsed once per loaded certificate.</summary>
    private static X509Certificate Parsed(X509Certificate2 certificate) =>
        ParsedCertificates.GetValue(certificate, c => new X509CertificateParser().ReadCertificate(c.RawData));

    private static readonly ConditionalWeakTable<X509Certificate2, X509Certificate> ParsedCertificates = new();

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

    /// <summary>
    /// RFC 6960 A.1: the DER request, base64 then URL-encoded, in the path. Clients that leave base64's "/" unescaped are
    /// answered too (a catch-all segment), as relying parties' software in the field sends both.
    /// </summary>
    [WolverineGet("/ocsp/{*request}"), AllowAnonymous]
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
        var response = await responder.AnswerAsync(der ?? [], context.RequestAborted);
        // Never kept by an HTTP cache: the portal promises that a suspension shows in the very next answer, GET included.
        context.Response.Headers.CacheControl = "no-store";
        return Results.Bytes(response, ContentType);
    }
}
