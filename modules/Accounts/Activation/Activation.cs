using MySign.Kernel.Security;
using MySign.Certificates.Contracts;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySign.Accounts.Domain;
using MySign.Accounts.Mail;
using MySign.Accounts.Login;
using MySign.Accounts.Registration;
using MySign.Accounts.Sessions;
using MySign.Kernel.Web;
using MySign.Otp.Client;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Activation;

public sealed record ActivationView(string Step, string Token, string UserId, IReadOnlyDictionary<string, string> Errors, string? Destination);

/// <summary>
/// The holder's first visit, from the e-mailed link (single use, 7 days): choose the password and the signature
/// PIN, confirm with an OTP to the registered mobile; then the certificate is issued and the holder is signed in.
/// Between the steps the password is kept hashed and the PIN sealed by data protection, on the token's record.
/// </summary>
/// <summary>The activation forms (password and PIN, then the OTP), bound by Wolverine.</summary>
public sealed class ActivationForm
{
    public string? Token { get; set; }
    public string? Password { get; set; }
    public string? Pin { get; set; }
    [FromForm(Name = "password_confirm")] public string? PasswordConfirm { get; set; }
    [FromForm(Name = "pin_confirm")] public string? PinConfirm { get; set; }
}

public sealed class ActivationCodeForm
{
    public string? Token { get; set; }
    public string? Code { get; set; }
}

public static class ActivationEndpoints
{
    public const string Purpose = "account.activation";
    private const string PinProtection = "MySign.Accounts.Activation.Pin";

    [WolverineGet("/activate"), AllowAnonymous]
    public static async Task<IResult> Get(string? token, HttpContext context, IQuerySession session, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var (found, holder) = await Valid(session, token, clock, context.RequestAborted);
        return found is null || holder is null ? Invalid() : View(new ActivationView("form", token!, holder.Id, NoErrors, null));
    }

    [WolverinePost("/activate"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Choose([FromForm] ActivationForm form, HttpContext context, IDocumentSession session, IMessageBus bus, IDataProtectionProvider protection, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var token = form.Token ?? "";
        var (found, holder) = await Valid(session, token, clock, context.RequestAborted);
        if (found is null || holder is null) return Invalid();

        var errors = new Dictionary<string, string>();
        var password = form.Password ?? "";
        var pin = form.Pin ?? "";
        if (PasswordPolicy.Problem(password, holder.Id) is { } weak) errors["password"] = weak;
        else if (password != (form.PasswordConfirm ?? "")) errors["password_confirm"] = "password.error.confirm";
        if ((await bus.InvokeAsync<PinRulesChecked>(new CheckPinRules(pin), context.RequestAborted)).ErrorKey is { } pinProblem) errors["pin"] = pinProblem;
        else if (pin != (form.PinConfirm ?? "")) errors["pin_confirm"] = "pin.error.confirm";
        if (errors.Count > 0) return View(new ActivationView("form", token, holder.Id, errors, null), StatusCodes.Status422UnprocessableEntity);

        var issued = await bus.SendOtpAsync(holder.Id, Purpose, found.Id, context.RequestAborted);
        if (issued.Throttled)
            return View(new ActivationView("form", token, holder.Id, Error(issued.Wait!), null), StatusCodes.Status429TooManyRequests);
        found.PendingPasswordHash = await Task.Run(() => Passwords.Hash(password));
        found.ProtectedPin = protection.Seal(PinProtection, pin);
        found.ChallengeId = issued.ChallengeId;
        found.OtpDestination = issued.Destination;
        AccountLinks.PendingStep(found).Execute(session);
        return View(new ActivationView("otp", token, holder.Id, NoErrors, issued.Destination));
    }

    [WolverinePost("/activate/confirm"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Confirm([FromForm] ActivationCodeForm form, HttpContext context, IDocumentSession session, IMessageBus bus, IDataProtectionProvider protection,
        IOptions<SessionOptions> options, TimeProvider clock, ILogger<ActivationView> logger)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var token = form.Token ?? "";
        var (found, holder) = await Valid(session, token, clock, context.RequestAborted);
        if (found is null || holder is null) return Invalid();
        if (found.ChallengeId is not { } challenge || found.PendingPasswordHash is null || found.ProtectedPin is null)
            return View(new ActivationView("form", token, holder.Id, NoErrors, null));

        var verified = await bus.CheckOtpAsync(challenge, holder.Id, Purpose, found.Id, form.Code, context.RequestAborted);
        if (!verified.IsValid)
            return View(new ActivationView("otp", token, holder.Id, Error(verified.Refusal, "code"), found.OtpDestination), StatusCodes.Status422UnprocessableEntity);

        var now = clock.GetUtcNow();
        var pin = protection.Open(PinProtection, found.ProtectedPin);
        await bus.InvokeAsync<FirstCertificateIssued>(
            new IssueFirstCertificate(holder.Id, holder.FirstName, holder.LastName, holder.FiscalCode, pin, holder.Iut), context.RequestAborted);
        holder.PasswordHash = found.PendingPasswordHash;
        holder.ActivatedAt = now;
        session.Store(holder);
        found.Used = true;
        found.PendingPasswordHash = null;
        found.ProtectedPin = null;
        session.Store(found);
        session.Insert(AuditEntry.Of(holder.Id, "account.activated", now));
        SessionCookie.Start(context, session, options.Value, new PortalSession
        {
            PrincipalId = holder.Id, DisplayName = holder.DisplayName, Role = Holder.HolderRole, CreatedAt = now, LastSeenAt = now,
        });
        logger.LogInformation("Holder {HolderId} activated the account", holder.Id);
        return Results.Redirect("/");
    }

    [WolverinePost("/activate/resend"), AllowAnonymous, EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Resend([FromForm] string? token, HttpContext context, IDocumentSession session, IMessageBus bus, TimeProvider clock)
    {
        token ??= "";
        var (found, holder) = await Valid(session, token, clock, context.RequestAborted);
        if (found is null || holder is null) return Invalid();
        if (found.ChallengeId is null) return View(new ActivationView("form", token, holder.Id, NoErrors, null));
        var issued = await bus.SendOtpAsync(holder.Id, Purpose, found.Id, context.RequestAborted);
        if (issued.Throttled)
            return View(new ActivationView("otp", token, holder.Id, Error(issued.Wait!, "code"), found.OtpDestination), StatusCodes.Status429TooManyRequests);
        found.ChallengeId = issued.ChallengeId;
        found.OtpDestination = issued.Destination;
        AccountLinks.PendingStep(found).Execute(session);
        return View(new ActivationView("otp", token, holder.Id, NoErrors, issued.Destination));
    }

    private static readonly IReadOnlyDictionary<string, string> NoErrors = new Dictionary<string, string>();

    private static Dictionary<string, string> Error(string key, string field = "form") => new() { [field] = key };

    private static async Task<(AccountToken?, HolderAccount?)> Valid(IQuerySession session, string? token, TimeProvider clock, CancellationToken cancellation)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return (null, null);
        var found = await session.LoadAsync<AccountToken>(SessionAuthenticationHandler.HashToken(token), cancellation);
        if (found is not { Kind: HolderRegisteredHandler.TokenKind, Used: false } || found.ExpiresAt <= clock.GetUtcNow()) return (null, null);
        var holder = await session.LoadAsync<HolderAccount>(found.HolderId, cancellation);
        return holder is { AwaitsActivation: true } ? (found, holder) : (null, null);
    }

    private static IResult Invalid() => View(new ActivationView("invalid", "", "", NoErrors, null), StatusCodes.Status410Gone);

    private static IResult View(ActivationView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(ActivationEndpoints).Assembly, "Activation/Activation", view, "activation.title") { StatusCode = status, Partial = false };
}
