using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using MySign.Billing.Domain;
using MySign.Kernel.Localization;
using MySign.Kernel.Mail;
using MySign.Kernel.Security;
using Npgsql;
using Wolverine.Http;

namespace MySign.Billing.Store;

/// <summary>A link that confirms a new store account (only its hash is stored) and attaches it to the order it was created for.</summary>
public sealed class StoreAccountToken
{
    /// <summary>The account a link proved becomes the store account of the order the link was made for, while that order is still a cart.</summary>
    public static async Task UseOnItsOrderAsync(IDocumentSession session, StoreAccountToken link, CancellationToken cancellation)
    {
        var order = await session.LoadAsync<Order>(link.OrderId, cancellation);
        if (order is not { Status: OrderStatus.Cart, CustomerEmail: null }) return;
        order.CustomerEmail = link.Email;
        session.Store(order);
    }

    public string Id { get; set; } = "";
    public string Email { get; set; } = "";
    public Guid OrderId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool Used { get; set; }
    /// <summary>"reset" for a forgotten password; otherwise the confirmation of a new account.</summary>
    public string Kind { get; set; } = "";
}

/// <summary>
/// Store accounts are treated like holder accounts: five wrong passwords lock one for fifteen minutes (counted under a
/// row lock), sign-ins are rate limited per address, and neither sign-in nor "create your account" tells whether an
/// e-mail has an account: creating always answers "we sent you a link"; the mail says what to do (confirm the new
/// account, or sign in with the one that exists).
/// </summary>
public sealed class StoreSignIn(NpgsqlDataSource database)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockoutTime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);
    public static readonly Weasel.Postgresql.Tables.Table Table = Lockout.Define(BillingModule.Schema, "store_sign_in_failures");
    private readonly Lockout _lockout = new(database, BillingModule.Schema, "store_sign_in_failures");

    /// <summary>True only for a confirmed account with this password, not locked. Costs one PBKDF2 check in every case.</summary>
    public Task ClearAsync(string email, CancellationToken cancellation) => _lockout.ClearAsync(email, cancellation);

    public async Task<bool> CheckAsync(StoreCustomer? customer, string password, DateTimeOffset now, CancellationToken cancellation)
    {
        var usable = customer is { Confirmed: true } ? customer : null;
        bool Check() => StorePasswords.Verify(usable?.PasswordHash, password);
        var outcome = usable is null
            ? await _lockout.DecoyAsync(Check, cancellation)
            : await _lockout.AttemptAsync(usable.Id, now, MaxFailures, LockoutTime, Check, cancellation);
        return outcome == AttemptOutcome.Success;
    }

    public static (string Token, string Hash) NewToken()
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, HashToken(token));
    }

    public static string HashToken(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>The mail "create your account" sends: a confirmation link for a new account, or a reminder that one exists.</summary>
public sealed record StoreAccountMail(string Email, string Name, string? Token, string Language, bool Reset = false);

/// <summary>The store account's new-password form, bound by Wolverine.</summary>
public sealed class StoreResetForm
{
    public string? Token { get; set; }
    public string? Password { get; set; }
}

public static class StoreAccountMailHandler
{
    public static async Task Handle(StoreAccountMail message, MailSender mail, Kernel.Web.PortalUrl portal, CancellationToken cancellation)
    {
        var language = message.Language;
        var baseUrl = portal.Base;
        if (message.Reset)
        {
            var reset = string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T("mail.store_reset.body", language), message.Name) +
                        "\n\n" + baseUrl + "/store/accounts/reset?token=" + message.Token;
            await mail.SendAsync(new OutgoingMail(message.Email, Strings.T("mail.store_reset.subject", language), reset, language, message.Name, MailReason.Store), cancellation);
            return;
        }
        var text = message.Token is { } token
            ? string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T("mail.store_confirm.body", language), message.Name) +
              "\n\n" + baseUrl + "/store/accounts/confirm?token=" + token
            : Strings.T("mail.store_exists.body", language);
        var subject = Strings.T(message.Token is null ? "mail.store_exists.subject" : "mail.store_confirm.subject", language);
        await mail.SendAsync(new OutgoingMail(message.Email, subject, text, language, message.Token is null ? null : message.Name, MailReason.Store), cancellation);
    }
}

public static class StoreAccountConfirmEndpoint
{
    /// <summary>The link from the mail: the account is confirmed and becomes the order's store account; then the order, to go on.</summary>
    [WolverineGet("/store/accounts/confirm"), AllowAnonymous]
    public static async Task<IResult> Confirm(string? token, HttpContext context, IDocumentSession session, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var found = token is { Length: > 0 and <= 100 } ? await session.LoadAsync<StoreAccountToken>(StoreSignIn.HashToken(token), context.RequestAborted) : null;
        // Spent first: a mail scanner and the person opening the link at once confirm once.
        if (found is null || found.Used || found.Kind == "reset" || found.ExpiresAt <= clock.GetUtcNow()
            || !await Kernel.Data.SingleUse.SpendAsync<StoreAccountToken>(session, found.Id, context.RequestAborted))
            return new Kernel.Web.HtmlView(typeof(StoreAccountConfirmEndpoint).Assembly, "Store/LinkExpired", new { }, "store.title")
                { StatusCode = StatusCodes.Status410Gone, Partial = false };
        var customer = await session.LoadAsync<StoreCustomer>(found.Email, context.RequestAborted);
        if (customer is not null)
        {
            customer.Confirmed = true;
            session.Store(customer);
        }
        await StoreAccountToken.UseOnItsOrderAsync(session, found, context.RequestAborted);
        return Results.Redirect($"/store/orders/{found.OrderId}?confirmed=1");
    }
}

public sealed record StoreResetView(string Token, string? ErrorKey, string State);

/// <summary>
/// "I forgot my password" for a store account: a single-use link for 30 minutes mailed to the account's address, the
/// same answer whatever was typed; the new password also lifts a lockout and takes the order on with that account.
/// </summary>
public static class StorePasswordResetEndpoints
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(30);

    [WolverinePost("/store/orders/{id}/forgot"), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Kernel.Web.RateLimits.Recovery)]
    public static async Task<IResult> Forgot([FromForm] string? email, Guid id, HttpContext context, IDocumentSession session, Wolverine.IMessageBus bus, TimeProvider clock)
    {
        var order = await session.LoadAsync<Order>(id, context.RequestAborted);
        if (order is null || order.HolderId != Kernel.Web.Holder.HolderId(context)) return Results.NotFound();
        email = (email ?? "").Trim().ToLowerInvariant();
        var customer = email.Length is > 3 and <= 254 ? await session.LoadAsync<StoreCustomer>(email, context.RequestAborted) : null;
        if (customer is { Confirmed: true })
        {
            var (token, hash) = StoreSignIn.NewToken();
            session.Insert(new StoreAccountToken { Id = hash, Email = email, OrderId = order.Id, Kind = "reset", ExpiresAt = clock.GetUtcNow() + LinkLifetime });
            await bus.PublishAsync(new StoreAccountMail(email, customer.Name, token, Strings.Language, Reset: true));
        }
        return Results.Redirect($"/store/orders/{order.Id}?reset=sent");
    }

    [WolverineGet("/store/accounts/reset"), AllowAnonymous]
    public static async Task<IResult> Form(string? token, HttpContext context, IQuerySession session, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return await Valid(session, token, clock, context.RequestAborted) is null
            ? View(new StoreResetView("", "store.account.link_invalid", "invalid"), StatusCodes.Status410Gone)
            : View(new StoreResetView(token!, null, "form"));
    }

    [WolverinePost("/store/accounts/reset"), AllowAnonymous, Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(Kernel.Web.RateLimits.Recovery)]
    public static async Task<IResult> Reset([FromForm] StoreResetForm form, HttpContext context, IDocumentSession session, StoreSignIn signIn, TimeProvider clock)
    {
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var token = form.Token ?? "";
        var found = await Valid(session, token, clock, context.RequestAborted);
        if (found is null) return View(new StoreResetView("", "store.account.link_invalid", "invalid"), StatusCodes.Status410Gone);
        var password = form.Password ?? "";
        if (password.Length is < 10 or > 256) return View(new StoreResetView(token, "store.error.password", "form"), StatusCodes.Status422UnprocessableEntity);
        var customer = await session.LoadAsync<StoreCustomer>(found.Email, context.RequestAborted);
        if (customer is null) return View(new StoreResetView("", "store.account.link_invalid", "invalid"), StatusCodes.Status410Gone);
        customer.PasswordHash = StorePasswords.Hash(password);
        // Spent first: a second submission of the link at the same time finds it spent and sets nothing.
        if (!await Kernel.Data.SingleUse.SpendAsync<StoreAccountToken>(session, found.Id, context.RequestAborted))
            return View(new StoreResetView("", "store.account.link_invalid", "invalid"), StatusCodes.Status410Gone);
        session.Store(customer);
        await StoreAccountToken.UseOnItsOrderAsync(session, found, context.RequestAborted);
        await signIn.ClearAsync(found.Email, context.RequestAborted);
        return Results.Redirect($"/store/orders/{found.OrderId}");
    }

    private static async Task<StoreAccountToken?> Valid(IQuerySession session, string? token, TimeProvider clock, CancellationToken cancellation)
    {
        if (token is not { Length: > 0 and <= 100 }) return null;
        var found = await session.LoadAsync<StoreAccountToken>(StoreSignIn.HashToken(token), cancellation);
        return found is { Kind: "reset", Used: false } && found.ExpiresAt > clock.GetUtcNow() ? found : null;
    }

    private static IResult View(StoreResetView view, int status = StatusCodes.Status200OK) =>
        new Kernel.Web.HtmlView(typeof(StorePasswordResetEndpoints).Assembly, "Store/Reset", view, "store.title") { StatusCode = status, Partial = false };
}
