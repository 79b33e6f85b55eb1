using MySign.Dev;
using Marten;
using Microsoft.Extensions.Options;
using MySign.Billing.Domain;
using MySign.Billing.Payments;
using MySign.Kernel.Web;
using MySign.Renewal.Domain;

namespace MySign.Tests.Renewal;

/// <summary>
/// The app as its own process, killed with SIGKILL right after a payment is recorded, then started again on the
/// same database: the renewal still completes, exactly once (Wolverine's durable inbox/outbox in PostgreSQL).
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const string Secret = "crash-test-webhook-secret";
    private readonly SmtpServer _smtp = new();
    private readonly AppProcess _app = new();
    private IDocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        await _app.StartAsync(_smtp, new Dictionary<string, string> { ["Wolverine__Mode"] = "Solo", ["Billing__Payments__WebhookSecret"] = Secret });
        _store = AppStore.For(_app.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _app.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private PortalClient Client() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _app.BaseAddress);

    private async Task<T> Eventually<T>(Func<IQuerySession, Task<T?>> probe) where T : class
    {
        for (var i = 0; i < 300; i++)
        {
            await using var session = _store.QuerySession();
            if (await probe(session) is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException("The expected state never came:\n" + _app.Output);
    }

    [Fact]
    public async Task a_kill_9_right_after_the_payment_is_recorded_still_renews_exactly_once()
    {
        using var client = Client();
        (await client.LoginAsync(Demo.HolderUserId, Demo.HolderPassword)).Location.ShouldBe("/");
        await client.GetAsync("/renewal");
        var renewal = Guid.Parse((await client.PostAsync("/renewal", new() { ["path"] = "store" })).Location!.Split('/').Last());
        await client.GetAsync($"/renewal/{renewal}");
        await client.PostAsync($"/renewal/{renewal}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = Demo.HolderPin });
        await client.PostAsync($"/renewal/{renewal}/confirm", new() { ["code"] = await Holders.LastSmsCodeAsync(_store, Demo.HolderMobile) });
        var order = Guid.Parse((await client.PostAsync($"/renewal/{renewal}/store", new())).Location!.Split('/').Last());
        await client.GetAsync($"/store/orders/{order}");
        await StoreAccounts.CreateAndConfirmAsync(client, _smtp, order, "Mario Rossi", "mario.store@example.test", "mario-store-pass");
        (await client.PostAsync($"/store/orders/{order}/pay", new()
        {
            ["type"] = "private", ["billing_name"] = "Mario Rossi", ["fiscal_code"] = Demo.HolderFiscalCode, ["address"] = "Via del Corso 12", ["post_code"] = "00186", ["city"] = "Roma", ["province"] = "RM",
            ["confirm"] = "on", ["method"] = "card",
        })).Location!.ShouldStartWith("/store/sandbox/");

        var signature = new WebhookSignature(Options.Create(new PaymentOptions { WebhookSecret = Secret }), TimeProvider.System);
        var body = WebhookSignature.Body(new PaymentEvent("evt_crash_1", "payment.succeeded", order, "36.60", "EUR"));
        async Task<HttpStatusCode> Deliver()
        {
            using var provider = Client();
            var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/payments/card") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add(WebhookSignature.Header, signature.Sign(body));
            return (await provider.SendAsync(request)).Status;
        }

        (await Deliver()).ShouldBe(HttpStatusCode.OK);
        await _app.KillAsync();
        await _app.RestartAsync();
        (await Deliver()).ShouldBe(HttpStatusCode.OK, "the provider retries after the crash: acknowledged, not applied again");

        await Eventually(async s => (await s.LoadAsync<RenewalRequest>(renewal)) is { Step: RenewalStep.Activate } r ? r : null);
        await using (var session = _store.QuerySession())
        {
            var paid = (await session.LoadAsync<Order>(order))!;
            paid.Status.ShouldBe(OrderStatus.Paid);
            paid.InvoiceNumber.ShouldNotBeNull();
            (await session.Query<ProcessedPaymentEvent>().CountAsync(e => e.OrderId == order)).ShouldBe(1);
        }

        // The session survived the crash (it lives in PostgreSQL): the holder finishes the renewal.
        await client.GetAsync($"/renewal/{renewal}");
        await client.PostAsync($"/renewal/{renewal}/pin", new() { ["new_pin"] = "86420135", ["confirm_pin"] = "86420135" });
        (await client.PostAsync($"/renewal/{renewal}/activate", new() { ["code"] = await Holders.LastSmsCodeAsync(_store, Demo.HolderMobile) }))
            .Text.ShouldContain("Your Remote Signature certificate has been renewed.");
        await _smtp.WaitForAsync("mario.store@example.test", m => m.Subject == "MySign Store: order confirmation and invoice");
    }
}
