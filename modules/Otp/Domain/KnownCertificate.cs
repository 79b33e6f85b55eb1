using Marten;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Contracts;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.Otp.Domain;

/// <summary>
/// What Otp knows of the holder's current certificate, from Certificates' facts (never its documents): the OTP box offers
/// factor changes only while there is a certificate to confirm anything for. Id is the holder's User ID.
/// </summary>
public sealed class KnownCertificate
{
    public string Id { get; set; } = "";
    public CertificateFacts Facts { get; set; } = null!;

    /// <summary>
    /// Whether the holder's factor may change now: while the certificate is active or suspended. A holder Otp has heard
    /// of no certificate for (not yet activated) keeps every door: nothing says otherwise.
    /// </summary>
    public static bool AllowsChanges(KnownCertificate? known, DateTimeOffset now) => known is null || known.Facts.InUse(now);

    /// <summary>
    /// The OTP box's doors (mode switches, passkeys, the phone change) ask this first: with the certificate revoked or
    /// expired they lead back to the home page, whose box says why.
    /// </summary>
    public static async Task<IResult> RefuseWithoutCertificateAsync(HttpContext context, IDocumentSession session, TimeProvider clock) =>
        AllowsChanges(await session.LoadAsync<KnownCertificate>(context.HolderId(), context.RequestAborted), clock.GetUtcNow())
            ? WolverineContinue.Result()
            : Flow.Done(context, "/");
}

/// <summary>Certificates' facts, each applied once and never over a newer one.</summary>
public static class KnownCertificateHandler
{
    public static async Task Handle(CertificateIssued issued, IDocumentSession session, CancellationToken cancellation)
    {
        var known = await session.LoadAsync<KnownCertificate>(issued.HolderId, cancellation);
        if (CertificateFacts.After(known?.Facts, issued) is { } next) session.Store(new KnownCertificate { Id = issued.HolderId, Facts = next });
    }

    public static async Task Handle(CertificateStatusChanged changed, IDocumentSession session, CancellationToken cancellation)
    {
        var known = await session.LoadAsync<KnownCertificate>(changed.HolderId, cancellation);
        if (known?.Facts.After(changed) is { } next) session.Store(new KnownCertificate { Id = changed.HolderId, Facts = next });
    }
}
