using Marten;
using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;
using MySign.Otp.Domain;
using Wolverine.Http;

namespace MySign.Otp.Portal;

public sealed record OtpBoxView(string ModeKey, string? MaskedPhone);

public sealed class OtpBox : IPortalBox
{
    public int Order => 20;
    public PortalSlot Slot => PortalSlot.Box;
    public string Path => "/portal/boxes/otp";

    public Func<RawHtml> Prepare(IBatchedQuery batch, HttpContext context)
    {
        var loaded = batch.Load<OtpSettings>(context.HolderId());
        return () => HtmlView.For<OtpBox>("Portal/OtpBox", View(loaded.Result)).RenderFragment(context);
    }

    public static OtpBoxView View(OtpSettings? settings) => settings is null
        ? new OtpBoxView("otp.mode.sms", null)
        : new OtpBoxView("otp.mode." + settings.Mode.ToString().ToLowerInvariant(), settings.PhoneNumber.Length > 0 ? settings.MaskedPhone : null);
}

public static class OtpBoxEndpoint
{
    [WolverineGet("/portal/boxes/otp")]
    public static Task<IResult> Get(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new OtpBox(), session, context);
}
