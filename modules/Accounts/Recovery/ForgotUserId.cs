using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using MySign.Accounts.Domain;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using Wolverine;
using Wolverine.Http;

namespace MySign.Accounts.Recovery;

public sealed record ForgotUserIdView(bool Sent);

/// <summary>A User ID reminder was asked for an e-mail address that belongs to a holder (mailed to that address only).</summary>
public sealed record UserIdReminderRequested(string HolderId, string Language);

/// <summary>
/// "I forgot my User ID": the holder types the recovery e-mail; if it belongs to an activated holder, the User ID is
/// mailed there. The page answers the same whatever was typed, so it tells nobody which addresses are holders'.
/// </summary>
public static class ForgotUserIdEndpoints
{
    [WolverineGet("/forgot-user-id"), AllowAnonymous]
    public static IResult Get() => View(new ForgotUserIdView(false));

    [WolverinePost("/forgot-user-id"), AllowAnonymous, EnableRateLimiting(RateLimits.Recovery)]
    public static async Task<IResult> Post([FromForm] string? email, HttpContext context, IQuerySession session, IMessageBus bus)
    {
        email = (email ?? "").Trim().ToLowerInvariant();
        if (email.Length is > 3 and <= 254 && email.Contains('@'))
        {
            var holders = await session.Query<HolderAccount>().Where(h => h.Email.ToLower() == email && h.PasswordHash != "").Take(5).ToListAsync(context.RequestAborted);
            foreach (var holder in holders) await bus.PublishAsync(new UserIdReminderRequested(holder.Id, Strings.Language));
        }
        return View(new ForgotUserIdView(true));
    }

    private static IResult View(ForgotUserIdView view) =>
        new HtmlView(typeof(ForgotUserIdEndpoints).Assembly, "Recovery/ForgotUserId", view, "forgot_id.title") { Partial = false };
}

public static class UserIdReminderRequestedHandler
{
    public static async Task Handle(UserIdReminderRequested request, IQuerySession session, Mail.HolderMailer mail, CancellationToken cancellation)
    {
        var holder = await session.LoadAsync<HolderAccount>(request.HolderId, cancellation);
        if (holder is null || holder.Email.Length == 0) return;
        await mail.SendAsync(holder.Email, holder.FirstName, "user_id", request.Language, [holder.FirstName, holder.Id, mail.Link("/login")], "", cancellation);
    }
}
