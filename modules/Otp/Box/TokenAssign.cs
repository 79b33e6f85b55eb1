using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using MySign.Otp.Challenges;
using MySign.Otp.Codes;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Sms;
using Wolverine;
using Wolverine.Http;

namespace MySign.Otp.Box;

public sealed record TokenAssignView(Guid ChallengeId, string Destination, string Serial, string? ErrorKey, string? Passkey = null, string? Factor = null);

/// <summary>Use a hardware token the TSP provisioned: its serial and a current code, confirmed on the current channel.</summary>
/// <summary>The hardware-token form, bound by Wolverine.</summary>
public sealed class TokenConfirmForm
{
    public string? Challenge { get; set; }
    public string? Serial { get; set; }
    public string? Destination { get; set; }
    [FromForm(Name = "token_code")] public string? TokenCode { get; set; }
    public string? Code { get; set; }
}

public static class TokenAssignEndpoints
{
    /// <summary>With the certificate revoked or expired there is nothing to confirm: the factor stays as it is (KnownCertificate).</summary>
    public static Task<IResult> Before(HttpContext context, IDocumentSession session, TimeProvider clock) =>
        KnownCertificate.RefuseWithoutCertificateAsync(context, session, clock);
    [WolverinePost("/otp/token/start")]
    public static async Task<IResult> Start(HttpContext context, OtpChallenges challenges)
    {
        var issued = await challenges.IssueAsync(new IssueOtp(context.HolderId(), ModeSwitchEndpoints.Purpose, "token"), context.RequestAborted);
        return View(new TokenAssignView(issued.ChallengeId, issued.MaskedDestination ?? "", "", issued.Wait, issued.Passkey, issued.Factor));
    }

    [WolverinePost("/otp/token/confirm")]
    public static async Task<IResult> Confirm([FromForm] TokenConfirmForm form, HttpContext context, IDocumentSession session, IMessageBus bus, OtpChallenges challenges, OtpSecrets secrets, TimeProvider clock)
    {
        var holder = context.HolderId();
        if (!Guid.TryParse(form.Challenge, out var challengeId)) return Flow.Done(context, "/");
        var serial = (form.Serial ?? "").Trim().ToUpperInvariant();
        var destination = form.Destination ?? "";
        var settings = (await session.LoadAsync<OtpSettings>(holder, context.RequestAborted))!;
        var again = OtpChallenges.Answer(challengeId, settings.Mode, settings.PhoneNumber, default);
        IResult Refuse(string key) => View(new TokenAssignView(challengeId, again.MaskedDestination ?? "", (form.Serial ?? ""), key, again.Passkey, again.Factor),
            StatusCodes.Status422UnprocessableEntity);

        // An unknown serial and one assigned to someone else read the same: serials are not enumerable.
        var token = serial.Length is > 0 and <= 40 ? await session.LoadAsync<HardwareToken>(serial, context.RequestAborted) : null;
        var tokenCode = OneTimeCodes.Normalise(form.TokenCode);
        var step = token is not null && (token.AssignedTo is null || token.AssignedTo == holder) && tokenCode is { Length: 6 }
            ? OneTimeCodes.MatchTotp(secrets.Unprotect(token.Seed), tokenCode, clock.GetUtcNow(), token.LastStep) : null;
        if (step is null) return Refuse("otp.token.error");

        var verified = await challenges.VerifyAsync(new VerifyOtp(challengeId, holder, ModeSwitchEndpoints.Purpose, "token", (form.Code ?? "")), context.RequestAborted);
        if (!verified.IsValid) return Refuse(verified.ErrorKey);

        token!.AssignedTo = holder;
        token.LastStep = step.Value;
        settings = await OtpSettings.ToChangeAsync(session, holder, context.RequestAborted);
        settings.Mode = ReceptionMode.HardwareToken;
        settings.TokenSerial = token.Id;
        settings.TotpSecret = null;
        session.Store(token);
        session.Store(settings);
        await FactorNotice.ModeChangedAsync(bus, settings, "mode.token", clock.GetUtcNow());
        return Flow.Done(context, "/");
    }

    private static IResult View(TokenAssignView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(TokenAssignEndpoints).Assembly, "Box/TokenAssign", view, "otp.token.title") { StatusCode = status };
}
