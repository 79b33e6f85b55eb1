using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MySign.Billing.Contracts;
using MySign.Billing.Domain;
using MySign.Billing.Payments;
using MySign.Billing.Sdi;
using MySign.Kernel.Localization;
using MySign.Kernel.Validation;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.Billing.Store;

public sealed record StoreView(Order Order, string Stage, IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, string> Values,
    string ListPrice, string Discount, string Net, string Vat, string Gross, string? MaskedFiscalCode, PaymentOptions? Bank,
    string Received = "", string Remaining = "", string? Refund = null, string? Notice = null, string ProductName = "", bool ResetSent = false,
    IReadOnlyList<DocumentView>? Documents = null);

/// <summary>An invoice or credit note as the order page lists it: number, day, total, where it is with SdI, its file.</summary>
public sealed record DocumentView(string Kind, string Number, string Date, string Total, string State, string File)
{
    public static IReadOnlyList<DocumentView> Of(Order order, string language) => order.Documents().Select(d => new DocumentView(d.Kind.ToLowerInvariant(), d.Number,
        d.Date.ToString("d", CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB")), Money.Format(d.Gross, language),
        d.State.ToString().ToLowerInvariant(), d.Latest().Name)).ToList();
}

/// <summary>
/// The MySign Store for a renewal: the cart (pre-filled, one product, not editable into another), promo code,
/// store account (log in or create), billing information and the payment method. Only the holder's own orders.
/// </summary>
/// <summary>The store's sign-in / create-account form, bound by Wolverine.</summary>
public sealed class StoreAccountForm
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string? Name { get; set; }
    public string? Create { get; set; }
}

public static class StoreEndpoints
{
    public static readonly string[] Methods = ["card", "paypal", "transfer"];

    [WolverineGet("/store/orders/{id}")]
    public static async Task<IResult> Show(Guid id, HttpContext context, IQuerySession session, Wolverine.IMessageBus bus, string? reset)
    {
        var order = await Own(session, context, id);
        if (order is null) return Results.NotFound();
        // The billing form starts from what the holder gave for this order (back from a declined or left checkout), else from
        // the holder's own details (Accounts keeps them); the holder may change them.
        var values = order.Status != OrderStatus.Cart || order.CustomerEmail is null ? null
            : order.Billing is not null ? AsTyped(order) : await BillingDefaults(bus, order, context.RequestAborted);
        // The account transfers go to (Billing:Payments:Iban, Beneficiary, Bic), shown with the order's reference.
        return Page(context, order, values: values, resetSent: reset == "sent");
    }

    private static Dictionary<string, string> AsTyped(Order order) =>
        new(BillingForm.AsTyped(order.Billing!)) { ["method"] = order.Method ?? "", ["confirm"] = "on" };

    private static async Task<Dictionary<string, string>> BillingDefaults(Wolverine.IMessageBus bus, Order order, CancellationToken cancellation)
    {
        var details = await bus.InvokeAsync<Accounts.Contracts.HolderBillingDetails>(new Accounts.Contracts.GetHolderBillingDetails(order.HolderId), cancellation);
        return BillingForm.FromHolder(details.Name, details.FiscalCode, details.Address);
    }

    [WolverinePost("/store/orders/{id}/promo")]
    public static async Task<IResult> Promo(Guid id, [FromForm(Name = "promo")] string? typedPromo, HttpContext context, IDocumentSession session, TimeProvider clock)
    {
        var order = await Own(session, context, id);
        if (order is null) return Results.NotFound();
        if (order.Status != OrderStatus.Cart) return Page(context, order, Error("form", "store.error.not_editable"), status: StatusCodes.Status409Conflict);
        var typed = (typedPromo ?? "").Trim().ToUpperInvariant();
        var product = (await session.LoadAsync<Product>(order.Sku, context.RequestAborted))!;
        if (typed.Length == 0)
        {
            order.PromoCode = null;
            order.Price(product.NetPrice, product.VatRate, 0);
        }
        else
        {
            var promo = typed.Length <= 40 ? await session.LoadAsync<PromoCode>(typed, context.RequestAborted) : null;
            if (promo is { Disabled: true }) promo = null;
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var problem = promo is null ? "store.error.promo_unknown"
                : today < promo.ValidFrom || today > promo.ValidUntil ? "store.error.promo_expired"
                : promo.Uses >= promo.MaxUses ? "store.error.promo_used_up" : null;
            if (problem is not null) return Page(context, order, Error("promo", problem), new Dictionary<string, string> { ["promo"] = typed }, StatusCodes.Status422UnprocessableEntity);
            order.PromoCode = promo!.Id;
            order.Price(product.NetPrice, product.VatRate, promo.DiscountOn(product.NetPrice));
        }
        session.Store(order);
        await session.SaveChangesAsync(context.RequestAborted);
        return Page(context, order);
    }

    /// <summary>
    /// "Eliminates": the product leaves the cart, so the unpaid order is cancelled and the holder goes back to the
    /// renewal, which offers "Proceed to payment" again. Only a cart (no payment started) can be emptied.
    /// </summary>
    [WolverinePost("/store/orders/{id}/remove")]
    public static async Task<IResult> Remove(Guid id, HttpContext context, IDocumentSession session, Wolverine.IMessageBus bus, TimeProvider clock)
    {
        var order = await Own(session, context, id);
        if (order is null) return Results.NotFound();
        if (order.Status != OrderStatus.Cart) return Page(context, order, Error("form", "store.error.not_editable"), status: StatusCodes.Status409Conflict);
        order.Status = OrderStatus.Cancelled;
        order.CancelledAt = clock.GetUtcNow();
        session.Store(order);
        await bus.PublishAsync(new RenewalOrderRemoved(order.RenewalId, order.Id, order.HolderId));
        await session.SaveChangesAsync(context.RequestAborted);
        return Results.Redirect(order.ContinueAt);
    }

    [WolverinePost("/store/orders/{id}/account"), Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.Login)]
    public static async Task<IResult> Account([FromForm] StoreAccountForm form, Guid id, HttpContext context, IDocumentSession session, StoreSignIn signIn, Wolverine.IMessageBus bus, TimeProvider clock)
    {
        var order = await Own(session, context, id);
        if (order is null) return Results.NotFound();
        var email = (form.Email ?? "").Trim().ToLowerInvariant();
        var password = form.Password ?? "";
        var values = new Dictionary<string, string> { ["email"] = email.Length > 254 ? email[..254] : email, ["name"] = (form.Name ?? "").Trim() };
        var creating = form.Create == "1";
        if (!email.Contains('@') || email.Length > 254) return Page(context, order, Error("email", "store.error.email"), values, StatusCodes.Status422UnprocessableEntity);
        var customer = await session.LoadAsync<StoreCustomer>(email, context.RequestAborted);
        var now = clock.GetUtcNow();
        if (creating)
        {
            if (password.Length < 10) return Page(context, order, Error("password", "store.error.password"), values, StatusCodes.Status422UnprocessableEntity);
            if (values["name"].Length is < 2 or > 120) return Page(context, order, Error("name", "store.error.name"), values, StatusCodes.Status422UnprocessableEntity);
            if (TypedText.Problem(values["name"]) is { } text) return Page(context, order, Error("name", text), values, StatusCodes.Status422UnprocessableEntity);
            // The same answer and the same work whether the e-mail has an account or not: only its mailbox learns which.
            var hash = StorePasswords.Hash(password);
            string? link = null;
            if (customer is null)
            {
                var (token, tokenHash) = StoreSignIn.NewToken();
                session.Insert(new StoreCustomer { Id = email, Name = values["name"], PasswordHash = hash, CreatedAt = now });
                session.Insert(new StoreAccountToken { Id = tokenHash, Email = email, OrderId = order.Id, ExpiresAt = now + StoreSignIn.LinkLifetime });
                link = token;
            }
            await bus.PublishAsync(new StoreAccountMail(email, values["name"], link, Strings.Language));
            return Page(context, order, values: values, notice: "store.account.check_mail");
        }
        if (!await signIn.CheckAsync(customer, password, now, context.RequestAborted))
            return Page(context, order, Error("login", "store.error.login"), values, StatusCodes.Status422UnprocessableEntity);
        order.CustomerEmail = email;
        session.Store(order);
        await session.SaveChangesAsync(context.RequestAborted);
        return Page(context, order, values: await BillingDefaults(bus, order, context.RequestAborted));
    }

    [WolverinePost("/store/orders/{id}/pay")]
    public static async Task<IResult> Pay(Guid id, HttpContext context, IDocumentSession session, IPaymentProvider provider, PortalUrl portal, Wolverine.IMessageBus bus)
    {
        var order = await Own(session, context, id);
        if (order is null) return Results.NotFound();
        if (order.Status != OrderStatus.Cart || order.CustomerEmail is null) return Page(context, order, Error("form", "store.error.not_editable"), status: StatusCodes.Status409Conflict);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string F(string name) => form[name].ToString().Trim();
        // What was typed comes back on an error page as it was (a bounded length: the fields' own limits are checked below).
        var values = BillingForm.Fields.Append("method").Append("confirm").ToDictionary(n => n, n => F(n).Length > 300 ? F(n)[..300] : F(n));
        var (errors, billing) = BillingForm.Validate(values);
        if (values["confirm"] != "on") errors["confirm"] = "store.error.confirm";
        if (!Methods.Contains(values["method"])) errors["method"] = "store.error.method";
        if (errors.Count > 0) return Page(context, order, errors, values, StatusCodes.Status422UnprocessableEntity);

        order.Billing = billing;
        order.Method = values["method"];
        order.Language = Strings.Language;
        order.PaymentProblem = null;
        if (order.Method == "transfer")
        {
            // Paid when the bank statement shows a credit quoting this reference (see BankStatementEndpoint); the same
            // reference if the holder chose a transfer before, so a transfer already made still counts.
            order.Status = OrderStatus.AwaitingTransfer;
            order.TransferReference ??= "MYSIGN-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5));
            session.Store(order);
            // Saved by the endpoint's transaction with the mail: a form sent twice at once commits once, and the other
            // answer is the "changed at the same moment" page, with no second mail.
            await bus.PublishAsync(new TransferInstructionsMail(order.Id));
            return Results.Redirect($"/store/orders/{order.Id}");
        }
        order.Status = OrderStatus.AwaitingPayment;
        var baseUrl = portal.Base;
        string sessionId, redirect;
        try
        {
            (sessionId, redirect) = await provider.StartAsync(order, order.Method, $"{baseUrl}/store/orders/{order.Id}", context.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            // Nothing is saved: the order stays in the cart and the holder can try again.
            order.Status = OrderStatus.Cart;
            return Page(context, order, Error("form", "store.error.provider_unavailable"), values, StatusCodes.Status503ServiceUnavailable);
        }
        order.ProviderSession = sessionId;
        order.ProviderUrl = redirect;
        session.Store(order);
        try
        {
            await session.SaveChangesAsync(context.RequestAborted);
            return Results.Redirect(redirect);
        }
        catch (JasperFx.ConcurrencyException)
        {
            // The same form sent again at the same moment opened its checkout first: this one is closed, so it can take no
            // money, and the browser goes where the first answer sent it.
            session.EjectAllPendingChanges();
            return await AfterLostCheckout(session, provider, sessionId, id, context.RequestAborted);
        }
    }

    private static async Task<IResult> AfterLostCheckout(IDocumentSession session, IPaymentProvider provider, string lost, Guid id, CancellationToken cancellation)
    {
        try
        {
            await provider.CloseAsync(lost, cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // Left open, it expires at the provider; money paid there anyway is an overpayment the reconciliation refunds.
        }
        await using var fresh = session.DocumentStore.QuerySession();
        var now = await fresh.LoadAsync<Order>(id, cancellation);
        return now is { Status: OrderStatus.AwaitingPayment, ProviderUrl: { } winner } ? Results.Redirect(winner) : Results.Redirect($"/store/orders/{id}");
    }

    /// <summary>
    /// "Choose another way to pay": the holder left the provider's page (or waits for a transfer not yet made). The open
    /// checkout is closed at the provider first, so it can no longer take money; then the order is a cart again, with the
    /// billing information kept. Too late when the provider already took the payment: its confirmation is on its way.
    /// </summary>
    [WolverinePost("/store/orders/{id}/retry")]
    public static async Task<IResult> Retry(Guid id, HttpContext context, IDocumentSession session, IPaymentProvider provider)
    {
        var order = await Own(session, context, id);
        if (order is null) return Results.NotFound();
        var waiting = order.Status == OrderStatus.AwaitingPayment || order is { Status: OrderStatus.AwaitingTransfer, Received: 0 };
        if (!waiting) return Page(context, order, Error("form", "store.error.not_editable"), status: StatusCodes.Status409Conflict);
        if (order.Status == OrderStatus.AwaitingPayment && order.ProviderSession is not null)
        {
            bool closed;
            try
            {
                closed = await provider.CloseAsync(order.ProviderSession, context.RequestAborted);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return Page(context, order, Error("form", "store.error.provider_unavailable"), status: StatusCodes.Status503ServiceUnavailable);
            }
            if (!closed) return Page(context, order, Error("form", "store.error.payment_completing"), status: StatusCodes.Status409Conflict);
        }
        order.BackToCart(order.Status == OrderStatus.AwaitingPayment ? "abandoned" : null);
        session.Store(order);
        try
        {
            await session.SaveChangesAsync(context.RequestAborted);
        }
        catch (JasperFx.ConcurrencyException)
        {
            // The provider's confirmation (or a credit) changed the order at this moment: the page shows what it is now.
        }
        return Results.Redirect($"/store/orders/{order.Id}");
    }

    /// <summary>The courtesy copy: the PDF of the invoice, with the number and totals of the electronic one.</summary>
    [WolverineGet("/store/orders/{id}/invoice.pdf")]
    public static async Task<IResult> Invoice(Guid id, HttpContext context, IQuerySession session, IOptions<Invoicing.SellerOptions> seller, IOptions<Kernel.Brand.TspOptions> tsp)
    {
        var order = await Own(session, context, id);
        if (order is null || order.Status != OrderStatus.Paid) return Results.NotFound();
        return Results.File(InvoicePdf.Build(order, Strings.Language, seller.Value, tsp.Value), "application/pdf", InvoicePdf.FileName(order));
    }

    /// <summary>A FatturaPA file of the order (the invoice, a credit note, a rejected file and its correction): the frozen copy, byte for byte as sent.</summary>
    [WolverineGet("/store/orders/{id}/files/{name}")]
    public static async Task<IResult> File(Guid id, string name, HttpContext context, IQuerySession session)
    {
        var order = await Own(session, context, id);
        if (order?.FindFile(name) is not { } found) return Results.NotFound();
        return Results.File(System.Text.Encoding.UTF8.GetBytes(found.File.Xml), "application/xml", found.File.Name);
    }

    /// <summary>The holder's orders, newest first, each with its invoice and where it is with SdI.</summary>
    [WolverineGet("/store/orders")]
    public static async Task<IResult> Orders(HttpContext context, IQuerySession session)
    {
        var holder = context.HolderId();
        var orders = await session.Query<Order>().Where(o => o.HolderId == holder && o.Status != OrderStatus.Cart).OrderByDescending(o => o.CreatedAt).Take(50).ToListAsync(context.RequestAborted);
        var language = Strings.Language;
        return new HtmlView(typeof(StoreEndpoints).Assembly, "Store/Orders",
            orders.Select(o => new OrderLine(o.Id, o.ProductNameIn(language), o.CreatedAt, Money.Format(o.Gross, language), o.Status.ToString().ToLowerInvariant(), DocumentView.Of(o, language))).ToList(),
            "orders.title");
    }

    private static Task<Order?> Own(IQuerySession session, HttpContext context, Guid id) =>
        Kernel.Documents.HolderOwned.LoadOwnAsync<Order>(session, id, context);

    private static Dictionary<string, string> Error(string field, string key) => new() { [field] = key };
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>The order's page at its stage; a transfer's stage always carries the bank's details, whatever answer shows it.</summary>
    private static IResult Page(HttpContext context, Order order, IReadOnlyDictionary<string, string>? errors = null, IReadOnlyDictionary<string, string>? values = null,
        int status = StatusCodes.Status200OK, string? notice = null, bool resetSent = false)
    {
        var bank = context.RequestServices.GetRequiredService<IOptions<PaymentOptions>>().Value;
        var stage = order.Status switch
        {
            OrderStatus.Cart when order.CustomerEmail is null => "account",
            OrderStatus.Cart => "checkout",
            _ => order.Status.ToString().ToLowerInvariant(),
        };
        var language = Strings.Language;
        var masked = order.Billing?.FiscalCode is { Length: > 6 } code ? code[..6] + new string('*', code.Length - 6) : null;
        return new HtmlView(typeof(StoreEndpoints).Assembly, "Store/Store",
            new StoreView(order, stage, errors ?? None, values ?? None, Money.Format(order.ListPrice, language), Money.Format(order.Discount, language),
                Money.Format(order.Net, language), Money.Format(order.Vat, language), Money.Format(order.Gross, language), masked, bank,
                Money.Format(order.Received, language), Money.Format(Math.Max(0, order.Gross - order.Received), language),
                order.RefundDue > 0 ? Money.Format(order.RefundDue, language) : null, notice, order.ProductNameIn(language), resetSent, DocumentView.Of(order, language)),
            "store.title") { StatusCode = status };
    }
}

/// <summary>An order in the holder's list.</summary>
public sealed record OrderLine(Guid Id, string Product, DateTimeOffset CreatedAt, string Total, string Status, IReadOnlyList<DocumentView> Documents);

/// <summary>Euro amounts as people read them: 36,60 € in Italian, €36.60 in English.</summary>
public static class Money
{
    public static string Format(decimal amount, string language) => language == "it"
        ? amount.ToString("N2", CultureInfo.GetCultureInfo("it-IT")) + " €"
        : "€" + amount.ToString("N2", CultureInfo.GetCultureInfo("en-GB"));
}

public static class OpenRenewalOrderHandler
{
    /// <summary>One open order per renewal: asking again returns the same order.</summary>
    public static async Task<RenewalOrderOpened> Handle(OpenRenewalOrder request, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var existing = await session.Query<Order>().Where(o => o.RenewalId == request.RenewalId && o.Status != OrderStatus.Cancelled).FirstOrDefaultAsync(cancellation);
        if (existing is not null) return new RenewalOrderOpened(existing.Id, CartPath(existing.Id));
        var product = await session.LoadAsync<Product>(Product.RemoteSignature3Years, cancellation)
                      ?? throw new InvalidOperationException("The renewal product is not in the catalogue.");
        var now = clock.GetUtcNow();
        var order = new Order
        {
            Id = Guid.CreateVersion7(now), HolderId = request.HolderId, RenewalId = request.RenewalId, ContinuePath = request.ContinuePath, Sku = product.Id, ProductName = product.Name, ProductNameIt = product.NameIt,
            Status = OrderStatus.Cart, CreatedAt = now,
        };
        order.Price(product.NetPrice, product.VatRate, 0);
        session.Insert(order);
        return new RenewalOrderOpened(order.Id, CartPath(order.Id));
    }

    private static string CartPath(Guid order) => $"/store/orders/{order}";
}
