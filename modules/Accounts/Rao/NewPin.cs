using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using MySign.Accounts.Domain;
using MySign.Accounts.Mail;
using MySign.Certificates.Contracts;
using MySign.Kernel.Security;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Rao;

public sealed record NewPinView(string Step, string Token, IReadOnlyDictionary<string, string> Errors, string? Destination, string? Iut = null, DateTimeOffset? Until = null,
    string? Passkey = null, string? Factor = null, bool Suspended = false);

public sealed class NewPinForm
{
    public string? Token { get; set; }
    public string? Pin { get; set; }
    [FromForm(Name = "pin_confirm")] public string? PinConfirm { get; set; }
}

/// <summary>
/// A forgotten PIN, after the RAO checked the holder's identity: from the recovery e-mail's link the holder chooses a new
/// PIN and confirms it with an OTP; a new key and certificate are issued under it for the rest of the old certificate's
/// validity, with no purchase, and the old certificate is superseded on the CRL. The link works once, for 24 hours.
/// </summary>
public static class NewPinEndpoints
{
    public const string Purpose = "pin.reissue";
    private const string PinProtection = "MySign.Accounts.NewPin.Pin";
    private static readonly IReadOnlyDictionary<string, string> NoErrors = new Dictionary<string, string>();

    [WolverineGet("/new-pin"), AllowAnonymous]
    public static async Task<IResult> Get(string? token, HttpContext context, IQuerySession session, TimeProvider clock) =>
        await Find(session, token, clock, context) is null ? Invalid() : View(new NewPinView("pin", token!, NoErrors, null));

    [WolverinePost("/new-pin"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<IResult> Choose([FromForm] NewPinForm form, HttpContext context, IDocumentSession session, IMessageBus bus, IDataProtectionProvider protection,
        TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var found = await Find(session, form.Token, clock, context);
        if (found is null) return Invalid();
        var pin = form.Pin ?? "";
        var errors = new Dictionary<string, string>();
        if ((await bus.InvokeAsync<PinRulesChecked>(new CheckPinRules(pin), context.RequestAborted)).ErrorKey is { } problem) errors["pin"] = problem;
        else if (pin != (form.PinConfirm ?? "")) errors["pin_confirm"] = "newpin.error.confirm";
        if (errors.Count > 0) return View(new NewPinView("pin", form.Token!, errors, null), StatusCodes.Status422UnprocessableEntity);
        var issued = await bus.SendOtpAsync(found.HolderId, Purpose, found.Id, context.RequestAborted);
        if (issued.Throttled) return View(new NewPinView("pin", form.Token!, new Dictionary<string, string> { ["form"] = issued.Wait! }, null), StatusCodes.Status429TooManyRequests);
        found.ProtectedPin = protection.Seal(PinProtection, pin);
        found.ChallengeId = issued.ChallengeId;
        found.OtpDestination = issued.Destination;
        found.OtpByPasskey = issued.Passkey is not null;
        found.OtpFactor = issued.Factor;
        AccountLinks.PendingStep(found).Execute(session);
        return View(new NewPinView("code", form.Token!, NoErrors, issued.Destination, Passkey: issued.Passkey, Factor: issued.Factor));
    }

    [WolverinePost("/new-pin/confirm"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<IResult> Confirm([FromForm] string? token, [FromForm] string? code, HttpContext context, IDocumentSession session, IMessageBus bus,
        IDataProtectionProvider protection, TimeProvider clock)
    {
        var found = await Find(session, token, clock, context);
        if (found is null) return Invalid();
        if (found.ChallengeId is not { } challenge || found.ProtectedPin is null) return View(new NewPinView("pin", token!, NoErrors, null), StatusCodes.Status409Conflict);
        var verified = await bus.CheckOtpAsync(challenge, found.HolderId, Purpose, found.Id, code, context.RequestAborted);
        if (!verified.IsValid)
            return View(new NewPinView("code", token!, new Dictionary<string, string> { ["code"] = verified.Refusal }, found.OtpDestination,
                Passkey: found.OtpByPasskey ? challenge.ToString() : null, Factor: found.OtpFactor), StatusCodes.Status422UnprocessableEntity);
        var reissued = await bus.InvokeAsync<CertificateReissued>(new ReissueAfterForgottenPin(found.HolderId, protection.Open(PinProtection, found.ProtectedPin)), context.RequestAborted);
        // Spent either way: a certificate revoked or expired since the desk's check can be given nothing more by this link.
        found.Used = true;
        found.ProtectedPin = null;
        session.Store(found);
        if (reissued.Refusal is { } refusal)
            return View(new NewPinView("ended", "", new Dictionary<string, string> { ["form"] = refusal }, null), StatusCodes.Status409Conflict);
        // Certificates tells the holder of the new certificate (HolderCertificateChanged), as it does of every change to it.
        return View(new NewPinView("done", "", NoErrors, null, reissued.UniqueIdentifier, reissued.NotAfter, Suspended: reissued.Suspended));
    }

    private static Task<AccountToken?> Find(IQuerySession session, string? token, TimeProvider clock, HttpContext context) =>
        AccountLinks.FindLiveAsync(session, token, "new_pin", clock.GetUtcNow(), context.RequestAborted);

    private static IResult Invalid() => View(new NewPinView("invalid", "", NoErrors, null), StatusCodes.Status410Gone);

    private static IResult View(NewPinView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(NewPinEndpoints).Assembly, "Rao/NewPin", view, "newpin.title") { StatusCode = status, Partial = false };
}
