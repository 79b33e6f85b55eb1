using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;
using MySign.Accounts.Mail;
using MySign.Certificates.Contracts;
using MySign.Kernel.Localization;
using MySign.Otp.Contracts;
using MySign.Kernel.Web;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Security;

public sealed record NotMeView(string Step, string Token);

/// <summary>
/// "This wasn't me", from the link at the end of every security e-mail: on the holder's word (the mailbox), every portal
/// session and every CSC token and SAD ends, and — ticked by default — the certificate is suspended at once. Opening the
/// link changes nothing (mail scanners open links); the button does. The token works once, for 14 days.
/// </summary>
public static class NotMeEndpoints
{
    [WolverineGet("/not-me"), AllowAnonymous]
    public static async Task<IResult> Get(string? token, HttpContext context, IQuerySession session, TimeProvider clock) =>
        await Find(session, token, clock, context) is null ? View(new NotMeView("invalid", ""), StatusCodes.Status410Gone) : View(new NotMeView("ask", token!));

    [WolverinePost("/not-me"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<IResult> Post([FromForm] string? token, [FromForm] string? suspend, HttpContext context, IDocumentSession session, IMessageBus bus,
        TimeProvider clock)
    {
        var found = await Find(session, token, clock, context);
        // Spent first: the same link pressed twice at once ends the sessions and tells the holder once.
        if (found is null || !await AccountLinks.SpendAsync(session, found, context.RequestAborted)) return View(new NotMeView("invalid", ""), StatusCodes.Status410Gone);
        var now = clock.GetUtcNow();
        session.DeleteWhere<PortalSession>(s => s.PrincipalId == found.HolderId);
        session.Insert(AuditEntry.Of(found.HolderId, "account.not_me", now));
        await bus.PublishAsync(new HolderCredentialsChanged(found.HolderId, now));
        if (suspend == "on") await bus.PublishAsync(new SuspendCertificateNow(found.HolderId, "suspectedMisuse", CertificateDoor.NotMe));
        // Told in the holder's language, as the suspension that may follow is.
        var language = (await session.LoadAsync<HolderAccount>(found.HolderId, context.RequestAborted))?.MailLanguage ?? Strings.Language;
        await bus.PublishAsync(new NotMeDoneMail(found.HolderId, language, now));
        await bus.PublishAsync(new TextHolderOnSmsChannel(found.HolderId,
            string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T("mail.not_me_done.sms", language), HolderMailer.When(now, language))));
        return View(new NotMeView(suspend == "on" ? "done-suspended" : "done", ""));
    }

    private static async Task<NotMeToken?> Find(IQuerySession session, string? token, TimeProvider clock, HttpContext context) =>
        token is { Length: > 0 and <= 100 } && await session.LoadAsync<NotMeToken>(Sessions.SessionAuthenticationHandler.HashToken(token), context.RequestAborted) is { } found
        && found.ExpiresAt > clock.GetUtcNow() ? found : null;

    private static IResult View(NotMeView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(NotMeEndpoints).Assembly, "Security/NotMe", view, "notme.title") { StatusCode = status, Partial = false };
}
