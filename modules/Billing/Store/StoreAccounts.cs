using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
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
    public string Id { get; set; } = "";
    public string Email { get; set; } = "";
    public Guid OrderId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public bool Used { get; set; }
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
public sealed record StoreAccountMail(string Email, string Name, string? Token, string Language);

public static class StoreAccountMailHandler
{
    public static async Task Handle(StoreAccountMail message, MailSender mail, MySign.Kernel.Web.PortalUrl portal, CancellationToken cancellation)
    {
        var language = message.Language;
        var baseUrl = portal.Base;
        var text = message.Token is { } token
            ? string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T("mail.store_confirm.body", language), message.Name) +
              "\n\n" + baseUrl + "/store/accounts/confirm?token=" + token + "\n\nMySign"
            : Strings.T("mail.store_exists.body", language) + "\n\nMySign";
        var subject = Strings.T(message.Token is null ? "mail.store_exists.subject" : "mail.store_confirm.subject", language);
        await mail.SendAsync(new OutgoingMail(message.Email, subject, text, MailText.ToHtml(text)), cancellation);
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
        if (found is null || found.Used || found.ExpiresAt <= clock.GetUtcNow())
            return new MySign.Kernel.Web.HtmlView(typeof(StoreAccountConfirmEndpoint).Assembly, "Store/LinkExpired", new { }, "store.title")
                { StatusCode = StatusCodes.Status410Gone, Partial = false };
        found.Used = true;
        session.Store(found);
        var customer = await session.LoadAsync<StoreCustomer>(found.Email, context.RequestAborted);
        if (customer is not null)
        {
            customer.Confirmed = true;
            session.Store(customer);
        }
        var order = await session.LoadAsync<Order>(found.OrderId, context.RequestAborted);
        if (order is { Status: OrderStatus.Cart, CustomerEmail: null })
        {
            order.CustomerEmail = found.Email;
            session.Store(order);
        }
        return Results.Redirect($"/store/orders/{found.OrderId}?confirmed=1");
    }
}
