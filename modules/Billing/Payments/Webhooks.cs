using Marten;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using MySign.Billing.Domain;
using MySign.Kernel.Web;
using Wolverine;
using Wolverine.Http;

namespace MySign.Billing.Payments;

public sealed record SandboxView(SandboxCheckout Checkout, string Amount);

/// <summary>
/// The payment providers' webhook: the signature is checked before anything is read; a tampered or stale one is
/// refused (400) and logged. A valid event is applied once, however often it is delivered.
/// </summary>
public static class PaymentWebhookEndpoint
{
    public const int MaxBody = 64 * 1024;

    [WolverinePost("/webhooks/payments/{provider}"), AllowAnonymous, RequireAntiforgeryToken(false)]
    public static async Task<IResult> Receive(string provider, HttpContext context, WebhookSignature signature, IMessageBus bus, OrderLanes lanes, ILogger<ApplyPaymentEvent> logger)
    {
        if (provider is not ("card" or "paypal")) return Results.NotFound();
        var bytes = await RequestBody.ReadAsync(context.Request, MaxBody, context.RequestAborted);
        if (bytes is null) return Results.Json(new { error = "too_large" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        var body = System.Text.Encoding.UTF8.GetString(bytes);
        return await ProcessAsync(provider, body, context.Request.Headers[WebhookSignature.Header], signature, bus, lanes, logger, context.RequestAborted);
    }

    public static async Task<IResult> ProcessAsync(string provider, string body, string? header, WebhookSignature signature, IMessageBus bus,
        OrderLanes lanes, ILogger logger, CancellationToken cancellation)
    {
        if (!signature.Verify(header, body))
        {
            logger.LogWarning("Payment webhook from {Provider} refused: bad or stale signature", provider);
            return Refused("bad_signature");
        }
        var payment = WebhookSignature.Parse(body);
        if (payment is null || payment.Id.Length is 0 or > 100) return Refused("bad_event");
        try
        {
            await PaymentEvents.ApplyAsync(bus, lanes, provider, payment, cancellation);
        }
        catch (Exception e) when (PaymentEvents.IsConflict(e))
        {
            // Not recorded: a 2xx would make the provider forget an event we never applied. It sends it again.
            logger.LogWarning("Payment webhook from {Provider}: event {EventId} met a concurrent change of its order; answered 503 for a retry", provider, payment.Id);
            return PaymentEvents.TryAgain();
        }
        return Results.Json(new { received = true });
    }

    /// <summary>A JSON body, so the site's HTML error pages (and their antiforgery check) never answer a provider.</summary>
    private static IResult Refused(string error) => Results.Json(new { error }, statusCode: StatusCodes.Status400BadRequest);

}

/// <summary>The sandbox provider's own hosted pages: approve, decline or cancel; then the signed webhook, then back to the store.</summary>
public static class SandboxProviderEndpoints
{
    [WolverineGet("/store/sandbox/{id}"), AllowAnonymous]
    public static async Task<IResult> Show(string id, HttpContext context, IQuerySession session, IPaymentProvider provider)
    {
        var checkout = provider is SandboxPaymentProvider && id.Length <= 40 ? await session.LoadAsync<SandboxCheckout>(id, context.RequestAborted) : null;
        if (checkout is null) return Results.NotFound();
        return new HtmlView(typeof(SandboxProviderEndpoints).Assembly, "Payments/Sandbox",
            new SandboxView(checkout, Store.Money.Format(checkout.Amount, MySign.Kernel.Localization.Strings.Language)), "sandbox.title") { Partial = false };
    }

    [WolverinePost("/store/sandbox/{id}"), AllowAnonymous]
    public static async Task<IResult> Decide([FromForm] string? decision, string id, HttpContext context, IDocumentSession session, WebhookSignature signature, IMessageBus bus,
        OrderLanes lanes, ILogger<SandboxCheckout> logger, IPaymentProvider provider)
    {
        // Only where the sandbox is the provider (never in Production): a real provider's orders are never "approved" here.
        var checkout = provider is SandboxPaymentProvider && id.Length <= 40 ? await session.LoadAsync<SandboxCheckout>(id, context.RequestAborted) : null;
        if (checkout is null) return Results.NotFound();
        if (checkout.State != "open") return Results.Redirect(checkout.ReturnUrl);
        decision ??= "";
        var type = decision switch { "approve" => "payment.succeeded", "decline" => "payment.failed", _ => "payment.cancelled" };
        checkout.State = decision is "approve" or "decline" ? decision + "d" : "cancelled";
        session.Store(checkout);
        try
        {
            await session.SaveChangesAsync(context.RequestAborted);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return Results.Redirect(checkout.ReturnUrl); // the shop closed this checkout at the same moment: no payment
        }
        // As a real provider does: a signed event to the webhook, then the browser back to the shop.
        var body = WebhookSignature.Body(new PaymentEvent("evt_" + checkout.Id, type, checkout.OrderId,
            checkout.Amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), "EUR"));
        await PaymentWebhookEndpoint.ProcessAsync(checkout.Method, body, signature.Sign(body), signature, bus, lanes, logger, context.RequestAborted);
        return Results.Redirect(checkout.ReturnUrl);
    }
}
