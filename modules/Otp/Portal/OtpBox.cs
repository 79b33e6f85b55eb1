using Marten;
using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;
using MySign.Otp.Domain;
using Wolverine.Http;

namespace MySign.Otp.Portal;

public sealed record PasskeyRow(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);
/// <param name="Closed">Why nothing can change (the certificate is revoked or expired: "revoked", "expired"), or null.</param>
public sealed record OtpBoxView(string ModeKey, string? MaskedPhone, IReadOnlyList<PasskeyRow> Passkeys, bool CanAdd, string? Closed = null);

public sealed class OtpBox : IPortalBox
{
    public int Order => 20;
    public PortalSlot Slot => PortalSlot.Box;
    public string Path => "/portal/boxes/otp";

    public Func<RawHtml> Prepare(IBatchedQuery batch, HttpContext context)
    {
        var holder = context.HolderId();
        var loaded = batch.Load<OtpSettings>(holder);
        var passkeys = batch.Query<Passkeys.PasskeyCredential>().Where(p => p.HolderId == holder).ToList();
        var certificate = batch.Load<KnownCertificate>(holder);
        return () => HtmlView.For<OtpBox>("Portal/OtpBox", View(loaded.Result, passkeys.Result, certificate.Result, context.Now())).RenderFragment(context);
    }

    public static OtpBoxView View(OtpSettings? settings, IReadOnlyList<Passkeys.PasskeyCredential> passkeys, KnownCertificate? certificate = null, DateTimeOffset now = default)
    {
        var rows = passkeys.OrderBy(p => p.CreatedAt).Select(p => new PasskeyRow(p.Id, p.Name, p.CreatedAt, p.LastUsedAt)).ToList();
        var closed = KnownCertificate.AllowsChanges(certificate, now) ? null : certificate!.Facts.StatusOn(now);
        var canAdd = closed is null && rows.Count < Passkeys.PasskeyEndpoints.MaxPasskeys;
        return settings is null
            ? new OtpBoxView("otp.mode.sms", null, rows, canAdd, closed)
            : new OtpBoxView("otp.mode." + settings.Mode.ToString().ToLowerInvariant(), settings.PhoneNumber.Length > 0 ? settings.MaskedPhone : null, rows, canAdd, closed);
    }
}

public static class OtpBoxEndpoint
{
    [WolverineGet("/portal/boxes/otp")]
    public static Task<IResult> Get(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new OtpBox(), session, context);
}
