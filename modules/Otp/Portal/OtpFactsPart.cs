using Marten;
using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Web;
using MySign.Otp.Domain;

namespace MySign.Otp.Portal;

public sealed record OtpFactsView(string ModeKey, string? MaskedPhone, bool ResetPending, int Passkeys);

/// <summary>
/// How the holder confirms, on the RAO console's holder page, as this module knows it now: the reception mode, the OTP
/// phone (the new one after a change, or that a reset at the desk is waiting for it) and how many passkeys. The changes
/// themselves reach the page's list through Accounts' record of OtpFactorChanged.
/// </summary>
public sealed class OtpFactsPart : IHolderFactsPart
{
    public int Order => 20;

    public Func<HolderFacts> Prepare(IBatchedQuery batch, HttpContext context, string holderId)
    {
        var settings = batch.Load<OtpSettings>(holderId);
        var passkeys = batch.Query<Passkeys.PasskeyCredential>().Where(p => p.HolderId == holderId).ToList();
        return () => settings.Result is not { } s
            ? HolderFacts.None
            : new HolderFacts(HtmlView.For<OtpFactsPart>("Portal/OtpFacts", new OtpFactsView("otp.mode." + s.Mode.ToString().ToLowerInvariant(),
                s.PhoneNumber.Length > 0 ? s.MaskedPhone : null, s.ResetPending, passkeys.Result.Count)).RenderFragment(context), []);
    }

    public Func<IReadOnlyDictionary<string, string>> PrepareStatuses(IBatchedQuery batch, HttpContext context, IReadOnlyList<string> holderIds) =>
        () => new Dictionary<string, string>();
}
