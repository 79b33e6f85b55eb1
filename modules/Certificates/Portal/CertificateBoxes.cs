using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using Marten;
using MySign.Certificates.Domain;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;
using MySign.RemoteSigning.Contracts;
using Wolverine.Http;

namespace MySign.Certificates.Portal;

public sealed record CertificateView(string? UniqueIdentifier, string Status, string StatusKey, string KindKey,
    DateTimeOffset? ActivatedAt, DateTimeOffset? ExpiresAt, int PinAttemptsLeft, DateTimeOffset? SuspendedUntil = null)
{
    /// <summary>Where an active certificate signs a document (RemoteSigning's page).</summary>
    public string SignPage => RemoteSigningPages.SignDocument;
}

/// <summary>The certificate's three home-page parts: the badge above the boxes, the certificate box, the PIN box, the suspension box.</summary>
public abstract class CertificatePart(string template, int order, PortalSlot slot, string path) : IPortalBox
{
    public int Order => order;
    public PortalSlot Slot => slot;
    public string Path => path;

    public Func<RawHtml> Prepare(IBatchedQuery batch, HttpContext context)
    {
        var loaded = batch.LoadOnce<HolderCertificate>(context, context.HolderId());
        var attempts = batch.LoadOnce<Pin.PinAttempts>(context, context.HolderId());
        var now = context.Now();
        return () => HtmlView.For<CertificatePart>(template, View(loaded.Result, attempts.Result, now)).RenderFragment(context);
    }

    public static CertificateView View(HolderCertificate? certificate, Pin.PinAttempts? attempts, DateTimeOffset now)
    {
        if (certificate is null) return new CertificateView(null, "none", "certificate.status.none", "certificate.kind.remote", null, null, 0);
        var status = certificate.StatusAt(now).ToString().ToLowerInvariant();
        return new CertificateView(certificate.UniqueIdentifier, status, "certificate.status." + status,
            certificate.Kind == SignatureKind.Automatic ? "certificate.kind.automatic" : "certificate.kind.remote",
            certificate.ActivatedAt, certificate.ExpiresAt, Pin.PinAttempts.LeftFor(certificate, attempts), certificate.SuspendedUntil);
    }
}

public sealed class CertificateBadge() : CertificatePart("Portal/Badge", 0, PortalSlot.Summary, "/portal/boxes/badge");
public sealed class CertificateBox() : CertificatePart("Portal/CertificateBox", 10, PortalSlot.Box, "/portal/boxes/certificate");
public sealed class PinBox() : CertificatePart("Portal/PinBox", 40, PortalSlot.Box, "/portal/boxes/pin");
public sealed record SuspensionView(CertificateView Certificate, bool HasEmergencyCode, string? RevealedCode, string? ErrorKey);

/// <summary>Suspension and revocation, and the emergency code: whether there is one, a new one to write down, or the form to make one.</summary>
public sealed class SuspensionBox : IPortalBox
{
    public const string ErrorKey = "mysign:suspension-error";
    public int Order => 60;
    public PortalSlot Slot => PortalSlot.Box;
    public string Path => "/portal/boxes/suspension";

    public Func<RawHtml> Prepare(IBatchedQuery batch, HttpContext context)
    {
        var holder = context.HolderId();
        var certificate = batch.LoadOnce<HolderCertificate>(context, holder);
        var attempts = batch.LoadOnce<Pin.PinAttempts>(context, holder);
        var code = batch.Load<Emergency.EmergencyCode>(holder);
        var reveal = batch.Load<Emergency.EmergencyCodeReveal>(holder);
        return () => HtmlView.For<CertificatePart>("Portal/SuspensionBox", View(context, certificate.Result, attempts.Result, code.Result is not null, reveal.Result)).RenderFragment(context);
    }

    public static SuspensionView View(HttpContext context, HolderCertificate? certificate, Pin.PinAttempts? attempts, bool hasCode, Emergency.EmergencyCodeReveal? reveal)
    {
        var now = context.Now();
        string? revealed = null;
        if (reveal is not null && reveal.ExpiresAt > now)
        {
            var protection = (Microsoft.AspNetCore.DataProtection.IDataProtectionProvider)context.RequestServices.GetService(typeof(Microsoft.AspNetCore.DataProtection.IDataProtectionProvider))!;
            try { revealed = Kernel.Security.PendingSecret.Open(protection, Emergency.EmergencyCodes.RevealProtector, reveal.Sealed); }
            catch (System.Security.Cryptography.CryptographicException) { }
        }
        return new SuspensionView(CertificatePart.View(certificate, attempts, now), hasCode, revealed, context.Items.TryGetValue(ErrorKey, out var error) ? error as string : null);
    }
}

public static class CertificateBoxEndpoints
{
    [WolverineGet("/portal/boxes/badge")]
    public static Task<IResult> Badge(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new CertificateBadge(), session, context);

    [WolverineGet("/portal/boxes/certificate")]
    public static Task<IResult> Certificate(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new CertificateBox(), session, context);

    [WolverineGet("/portal/boxes/pin")]
    public static Task<IResult> Pin(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new PinBox(), session, context);

    [WolverineGet("/portal/boxes/suspension")]
    public static Task<IResult> Suspension(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new SuspensionBox(), session, context);
}
