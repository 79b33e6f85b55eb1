using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Domain;
using MySign.Certificates.Pin;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;

namespace MySign.Certificates.Rao;

public sealed record CertificateFactsView(string Status, string StatusKey, string? ReasonKey, DateTimeOffset? SuspendedUntil, string Iut, string Serial,
    DateTimeOffset ActivatedAt, DateTimeOffset ExpiresAt, int PinAttemptsLeft);

/// <summary>
/// The certificate on the RAO console's holder page, as this module knows it now: its state (with the reason and the end
/// of a suspension), the IUT of the certificate in use (after a re-key or a renewal, the new one), its validity, the PIN's
/// attempts, and every operation on the holder's certificates; and each holder's state in the office's list.
/// </summary>
public sealed class CertificateFactsPart : IHolderFactsPart
{
    public int Order => 10;

    public Func<HolderFacts> Prepare(IBatchedQuery batch, HttpContext context, string holderId)
    {
        var certificate = batch.Load<HolderCertificate>(holderId);
        var attempts = batch.Load<PinAttempts>(holderId);
        var operations = batch.Query<CertificateOperation>().Where(o => o.HolderId == holderId).OrderByDescending(o => o.At).Take(50).ToList();
        var now = context.Now();
        return () => certificate.Result is not { } c
            ? HolderFacts.None
            : new HolderFacts(HtmlView.For<CertificateFactsPart>("Rao/CertificateFacts", View(c, attempts.Result, now)).RenderFragment(context),
                operations.Result.Select(o => new HolderOperation(o.At, Text(o))).ToList());
    }

    public Func<IReadOnlyDictionary<string, string>> PrepareStatuses(IBatchedQuery batch, HttpContext context, IReadOnlyList<string> holderIds)
    {
        var certificates = batch.Query<HolderCertificate>().Where(c => holderIds.Contains(c.Id)).ToList();
        var now = context.Now();
        return () => certificates.Result.ToDictionary(c => c.Id, c => Strings.T(StatusKey(c, now)));
    }

    public static CertificateFactsView View(HolderCertificate c, PinAttempts? attempts, DateTimeOffset now)
    {
        var status = c.StatusAt(now);
        return new CertificateFactsView(status.ToString().ToLowerInvariant(), StatusKey(c, now),
            status is CertificateStatus.Suspended or CertificateStatus.Revoked && c.StatusReason is { } reason ? "status.reason." + reason : null,
            status == CertificateStatus.Suspended ? c.SuspendedUntil : null, c.UniqueIdentifier, c.SerialNumber, c.ActivatedAt, c.ExpiresAt,
            PinAttempts.LeftFor(c, attempts));
    }

    /// <summary>The operation in words: what, with the new IUT or the reason, and through which door.</summary>
    public static string Text(CertificateOperation o)
    {
        var text = o.What is "issued" or "renewed" or "rekeyed" ? Strings.Format("operation." + o.What, o.Detail ?? "") : Strings.T("operation." + o.What);
        if (o.Door is { } door) text += " — " + Strings.T("operation.door." + door);
        if (o.What is "suspended" or "revoked" && o.Detail is { } reason) text += " (" + Strings.T("status.reason." + reason) + ")";
        return text;
    }

    private static string StatusKey(HolderCertificate c, DateTimeOffset now) => "certificate.status." + c.StatusAt(now).ToString().ToLowerInvariant();
}
