using System.Security.Cryptography;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Kernel.Web;
using MySign.Otp.Challenges;
using MySign.Otp.Codes;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Sms;
using QRCoder;
using Wolverine;
using Wolverine.Http;

namespace MySign.Otp.Box;

public sealed record AppEnrolView(Guid ChallengeId, string Destination, string QrDataUri, string SecretGroups, string? ErrorKey, string? Passkey = null, string? Factor = null);
public sealed record SmsSwitchView(Guid ChallengeId, string? ErrorKey, string? Passkey = null, string? Factor = null, string? Destination = null);

/// <summary>
/// Switch the reception mode. To the authenticator app: scan the QR code, then confirm with an OTP on the
/// current channel and the app's first code. Back to SMS: confirm with the app. Each switch is told on the
/// old channel and by e-mail.
/// </summary>
/// <summary>The OTP box's confirmation forms, bound by Wolverine.</summary>
public sealed class AppConfirmForm
{
    public string? Challenge { get; set; }
    [FromForm(Name = "app_code")] public string? AppCode { get; set; }
    public string? Code { get; set; }
}

public sealed class SmsConfirmForm
{
    public string? Challenge { get; set; }
    public string? Code { get; set; }
}

public static class ModeSwitchEndpoints
{
    public const string Purpose = "otp.mode";
    public const string Issuer = "MySign";

    /// <summary>With the certificate revoked or expired there is nothing to confirm: the factor stays as it is (KnownCertificate).</summary>
    public static Task<IResult> Before(HttpContext context, IDocumentSession session, TimeProvider clock) =>
        KnownCertificate.RefuseWithoutCertificateAsync(context, session, clock);

    [WolverinePost("/otp/app/start")]
    public static async Task<IResult> StartApp(HttpContext context, IDocumentSession session, OtpChallenges challenges, OtpSecrets secrets)
    {
        var holder = context.HolderId();
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        if (settings.Mode == ReceptionMode.AuthenticatorApp) return Flow.Done(context, "/");
        var secret = RandomNumberGenerator.GetBytes(20);
        settings.PendingTotpSecret = secrets.Protect(secret);
        session.Store(settings);
        var issued = await challenges.IssueAsync(new IssueOtp(holder, Purpose, "app"), context.RequestAborted);
        return AppView(holder, secret, issued, issued.Wait);
    }

    /// <summary>"Send new OTP" for the code that confirms the switch: the app's secret (the QR code already scanned) stays.</summary>
    [WolverinePost("/otp/app/resend")]
    public static async Task<IResult> ResendApp([FromForm] AppConfirmForm form, HttpContext context, IDocumentSession session, OtpChallenges challenges, OtpSecrets secrets)
    {
        var holder = context.HolderId();
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        if (settings.PendingTotpSecret is null) return Flow.Done(context, "/");
        var issued = await challenges.IssueAsync(new IssueOtp(holder, Purpose, "app"), context.RequestAborted);
        if (!issued.Throttled || !Guid.TryParse(form.Challenge, out var sent)) return AppView(holder, secrets.Unprotect(settings.PendingTotpSecret), issued, issued.Wait);
        // Too soon: the step stays, for the code already on its way.
        return AppView(holder, secrets.Unprotect(settings.PendingTotpSecret), OtpChallenges.Answer(sent, settings.Mode, settings.PhoneNumber, default), issued.Wait,
            StatusCodes.Status429TooManyRequests);
    }

    [WolverinePost("/otp/app/confirm")]
    public static async Task<IResult> ConfirmApp([FromForm] AppConfirmForm form, HttpContext context, IDocumentSession session, IMessageBus bus, OtpChallenges challenges, OtpSecrets secrets, TimeProvider clock)
    {
        var holder = context.HolderId();
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        if (settings.PendingTotpSecret is null || !Guid.TryParse(form.Challenge, out var challengeId)) return Flow.Done(context, "/");
        var secret = secrets.Unprotect(settings.PendingTotpSecret);
        var again = OtpChallenges.Answer(challengeId, settings.Mode, settings.PhoneNumber, default);

        // The app's code first: checking it changes nothing, so a typo does not use up the OTP.
        var appCode = OneTimeCodes.Normalise(form.AppCode);
        var step = appCode is { Length: 6 } ? OneTimeCodes.MatchTotp(secret, appCode, clock.GetUtcNow(), 0) : null;
        if (step is null) return AppView(holder, secret, again, "otp.app.error.code", StatusCodes.Status422UnprocessableEntity);
        var verified = await challenges.VerifyAsync(new VerifyOtp(challengeId, holder, Purpose, "app", (form.Code ?? "")), context.RequestAborted);
        if (!verified.IsValid) return AppView(holder, secret, again, verified.ErrorKey, StatusCodes.Status422UnprocessableEntity);

        settings = await OtpSettings.ToChangeAsync(session, holder, context.RequestAborted);
        settings.Mode = ReceptionMode.AuthenticatorApp;
        settings.TotpSecret = settings.PendingTotpSecret;
        settings.PendingTotpSecret = null;
        settings.TokenSerial = null;
        settings.LastTotpStep = step.Value;
        session.Store(settings);
        await FactorNotice.ModeChangedAsync(bus, settings, "mode.app", clock.GetUtcNow());
        return Flow.Done(context, "/");
    }

    [WolverinePost("/otp/sms/start")]
    public static async Task<IResult> StartSms(HttpContext context, IDocumentSession session, OtpChallenges challenges)
    {
        var holder = context.HolderId();
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        if (settings.Mode == ReceptionMode.Sms) return Flow.Done(context, "/");
        var issued = await challenges.IssueAsync(new IssueOtp(holder, Purpose, "sms"), context.RequestAborted);
        return SmsView(new SmsSwitchView(issued.ChallengeId, issued.Wait, issued.Passkey, issued.Factor, issued.MaskedDestination));
    }

    [WolverinePost("/otp/sms/confirm")]
    public static async Task<IResult> ConfirmSms([FromForm] SmsConfirmForm form, HttpContext context, IDocumentSession session, IMessageBus bus, OtpChallenges challenges, TimeProvider clock)
    {
        var holder = context.HolderId();
        if (!Guid.TryParse(form.Challenge, out var challengeId)) return Flow.Done(context, "/");
        var verified = await challenges.VerifyAsync(new VerifyOtp(challengeId, holder, Purpose, "sms", (form.Code ?? "")), context.RequestAborted);
        var settings = await OtpSettings.ToChangeAsync(session, holder, context.RequestAborted);
        if (!verified.IsValid)
        {
            var again = OtpChallenges.Answer(challengeId, settings.Mode, settings.PhoneNumber, default);
            return SmsView(new SmsSwitchView(challengeId, verified.ErrorKey, again.Passkey, again.Factor, again.MaskedDestination), StatusCodes.Status422UnprocessableEntity);
        }
        settings.Mode = ReceptionMode.Sms;
        settings.TotpSecret = null;
        settings.TokenSerial = null;
        session.Store(settings);
        await FactorNotice.ModeChangedAsync(bus, settings, "mode.sms", clock.GetUtcNow());
        return Flow.Done(context, "/");
    }

    public static string OtpAuthUri(string holder, byte[] secret) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(holder)}?secret={Base32.Encode(secret)}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits=6&period=30";

    private static IResult AppView(string holder, byte[] secret, OtpIssued issued, string? error, int status = StatusCodes.Status200OK)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(OtpAuthUri(holder, secret), QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(6);
        var groups = string.Join(' ', Base32.Encode(secret).Chunk(4).Select(c => new string(c)));
        var view = new AppEnrolView(issued.ChallengeId, issued.MaskedDestination ?? "", "data:image/png;base64," + Convert.ToBase64String(png), groups, error, issued.Passkey,
            issued.Factor);
        return new HtmlView(typeof(ModeSwitchEndpoints).Assembly, "Box/AppEnrol", view, "otp.app.title") { StatusCode = status };
    }

    private static IResult SmsView(SmsSwitchView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(ModeSwitchEndpoints).Assembly, "Box/SmsSwitch", view, "otp.sms.title") { StatusCode = status };
}
