using System.Text;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Billing.Domain;
using MySign.Billing.Payments;
using MySign.Billing.Store;
using MySign.Renewal.Domain;
using Wolverine.Tracking;

namespace MySign.Tests.Renewal;

/// <summary>"Renew signature" through the MySign Store: cart, account, billing, the sandbox provider, the signed webhook.</summary>
[Collection(AppCollection.Name)]
public sealed class StoreTests(AppFixture app)
{
    private Task<(TestHolder Holder, PortalClient Client, Guid Renewal, Guid Order)> AtTheStore() => StoreJourney.AtTheStoreAsync(app);

    private async Task<PortalClient.Page> Checkout(PortalClient client, Guid order, string email, string method = "card")
    {
        await client.GetAsync($"/store/orders/{order}");
        var account = await StoreAccounts.CreateAndConfirmAsync(client, app.Smtp, order, "Paolo Gallo", email, "store-password-1");
        account.Text.ShouldContain("Store account: " + email);
        account.Document.QuerySelector("#billing_name")!.GetAttribute("value").ShouldBe("Anna Verdi", "pre-filled from the holder's details");
        return await client.PostAsync($"/store/orders/{order}/pay", new()
        {
            ["type"] = "private", ["billing_name"] = "Paolo Gallo", ["fiscal_code"] = "GLLPLA80A01H501X", ["address"] = "Via Roma 1", ["post_code"] = "00100", ["city"] = "Roma", ["province"] = "RM",
            ["confirm"] = "on", ["method"] = method,
        });
    }

    private async Task<T> Eventually<T>(Func<Task<T?>> probe) where T : class
    {
        for (var i = 0; i < 100; i++)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException("The expected state never came.");
    }

    private async Task<RenewalRequest> RenewalAt(Guid id, RenewalStep step) => await Eventually(async () =>
    {
        await using var session = app.Store.QuerySession();
        var request = await session.LoadAsync<RenewalRequest>(id);
        return request?.Step == step ? request : null;
    });

    [Fact]
    public async Task a_card_payment_confirmed_by_the_signed_webhook_lets_the_renewal_finish_with_an_invoice_of_36_60()
    {
        var (holder, client, renewal, order) = await AtTheStore();
        var cart = await client.GetAsync($"/store/orders/{order}");
        cart.Text.ShouldContain("Remote Signature: Validity 3 years - MYSIGN");
        cart.Document.QuerySelector("#cart-vat")!.TextContent.ShouldBe("€6.60");
        cart.Document.QuerySelector("#cart-total")!.TextContent.ShouldBe("€36.60");
        (await client.PostAsync($"/renewal/{renewal}/pin", new() { ["new_pin"] = "86420135", ["confirm_pin"] = "86420135" })).Status
            .ShouldBe(HttpStatusCode.Conflict, "no activation before payment");

        var email = $"buyer-{holder.Id}@example.test";
        var toProvider = await Checkout(client, order, email);
        toProvider.Location!.ShouldStartWith("/store/sandbox/cs_");
        (await client.GetAsync(toProvider.Location)).Text.ShouldContain("€36.60");
        var back = await client.PostAsync(toProvider.Location, new() { ["decision"] = "approve" });
        back.Location.ShouldBe($"http://localhost/store/orders/{order}", "the provider sends the browser back to the order");
        (await client.GetAsync($"/store/orders/{order}")).Text.ShouldContain("Payment received");

        await RenewalAt(renewal, RenewalStep.Activate);
        await client.GetAsync($"/renewal/{renewal}");
        await client.PostAsync($"/renewal/{renewal}/pin", new() { ["new_pin"] = "86420135", ["confirm_pin"] = "86420135" });
        var done = await client.PostAsync($"/renewal/{renewal}/activate", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        done.Text.ShouldContain("Your Remote Signature certificate has been renewed.");

        var invoice = await Pdf.TextAsync(await client.Response($"/store/orders/{order}/invoice.pdf"));
        invoice.ShouldContain("Invoice");
        invoice.ShouldContain("€30.00");
        invoice.ShouldContain("€6.60");
        invoice.ShouldContain("€36.60");
        invoice.ShouldContain("Paolo Gallo");
        var mail = await app.Smtp.WaitForAsync(email, m => m.Subject == "MySign Store: order confirmation and invoice");
        mail.Attachments.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task a_promo_code_lowers_the_total_and_italian_shows_euro_amounts_the_italian_way()
    {
        var (_, client, _, order) = await AtTheStore();
        await client.GetAsync($"/store/orders/{order}");
        var unknown = await client.PostAsync($"/store/orders/{order}/promo", new() { ["promo"] = "NOPE" });
        unknown.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        unknown.Document.QuerySelector("#promo")!.GetAttribute("value").ShouldBe("NOPE");
        var discounted = await client.PostAsync($"/store/orders/{order}/promo", new() { ["promo"] = "welcome10" });
        discounted.Document.QuerySelector("#cart-vat")!.TextContent.ShouldBe("€5.94");
        discounted.Document.QuerySelector("#cart-total")!.TextContent.ShouldBe("€32.94");

        await client.PostAsync("/lang", new() { ["lang"] = "it", ["return"] = $"/store/orders/{order}" });
        var italian = await client.GetAsync($"/store/orders/{order}");
        italian.Document.QuerySelector("#cart-total")!.TextContent.ShouldBe("32,94 €");
        italian.Document.QuerySelector("#cart-product")!.TextContent.ShouldBe("Firma Remota: Validità 3 anni - MYSIGN", "the product's Italian name on the Italian cart");
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task the_same_webhook_twice_or_a_hundred_times_at_once_pays_once_and_a_tampered_one_is_refused()
    {
        var (holder, client, renewal, order) = await AtTheStore();
        await Checkout(client, order, $"twice-{holder.Id}@example.test");
        var signature = app.Host.Services.GetRequiredService<WebhookSignature>();
        var body = WebhookSignature.Body(new PaymentEvent("evt_dup_" + order.ToString("N"), "payment.succeeded", order, "36.60", "EUR"));

        async Task<HttpStatusCode> Deliver(string payload, string header)
        {
            using var raw = app.Client();
            var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/payments/card") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            request.Headers.Add(WebhookSignature.Header, header);
            return (await raw.SendAsync(request)).Status;
        }

        var tampered = body.Replace("36.60", "0.01");
        (await Deliver(tampered, signature.Sign(body))).ShouldBe(HttpStatusCode.BadRequest);
        (await Deliver(body, "t=1,v1=00")).ShouldBe(HttpStatusCode.BadRequest, "a stale timestamp is a replay");
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<Order>(order))!.Status.ShouldBe(OrderStatus.AwaitingPayment);

        var header = signature.Sign(body);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Deliver(body, header)));
        statuses.ShouldAllBe(s => s == HttpStatusCode.OK, string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}×{g.Count()}")));
        (await Deliver(body, signature.Sign(body))).ShouldBe(HttpStatusCode.OK, "delivered again later: acknowledged, nothing redone");

        await RenewalAt(renewal, RenewalStep.Activate);
        await using var check = app.Store.QuerySession();
        var paid = (await check.LoadAsync<Order>(order))!;
        paid.Status.ShouldBe(OrderStatus.Paid);
        (await check.Query<ProcessedPaymentEvent>().CountAsync(e => e.OrderId == order)).ShouldBe(1);
        // The confirmation arrives; a second one would come from a second OrderPaid: count once every message is handled.
        await app.Smtp.WaitForAsync($"twice-{holder.Id}@example.test", m => m.Subject == "MySign Store: order confirmation and invoice");
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        app.Smtp.Messages().Count(m => m.To.ToString().Contains($"twice-{holder.Id}") && m.Subject == "MySign Store: order confirmation and invoice").ShouldBe(1, "one confirmation, one invoice");
    }

    [Fact]
    public async Task eliminates_empties_only_ones_own_unpaid_cart_and_the_renewal_opens_a_new_one()
    {
        var (_, client, renewal, order) = await AtTheStore();
        var (_, stranger, _, _) = await AtTheStore();
        await stranger.GetAsync("/");
        (await stranger.PostAsync($"/store/orders/{order}/remove", new())).Status.ShouldBe(HttpStatusCode.NotFound, "someone else's order");
        (await stranger.PostAsync($"/renewal/{renewal}/later", new())).Status.ShouldBe(HttpStatusCode.NotFound, "someone else's renewal");

        var removed = await client.PostAsync($"/store/orders/{order}/remove", new());
        removed.Location.ShouldBe($"/renewal/{renewal}");
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        await using (var session = app.Store.QuerySession())
        {
            (await session.LoadAsync<Order>(order))!.Status.ShouldBe(OrderStatus.Cancelled);
            (await session.LoadAsync<RenewalRequest>(renewal))!.OrderId.ShouldBeNull();
        }
        (await client.PostAsync($"/store/orders/{order}/remove", new())).Status.ShouldBe(HttpStatusCode.Conflict, "already emptied");
        (await client.PostAsync($"/renewal/{renewal}/later", new())).Status.ShouldBe(HttpStatusCode.Conflict, "only after the RAO desk");
        var reopened = await client.PostAsync($"/renewal/{renewal}/store", new());
        reopened.Location!.ShouldStartWith("/store/orders/");
        reopened.Location.ShouldNotEndWith(order.ToString());
    }

    [Fact]
    public async Task a_declined_or_cancelled_payment_renews_nothing_and_the_holder_may_pay_again()
    {
        var (holder, client, renewal, order) = await AtTheStore();
        var provider = (await Checkout(client, order, $"declined-{holder.Id}@example.test")).Location!;
        (await client.PostAsync(provider, new() { ["decision"] = "decline" })).Location!.ShouldEndWith($"/store/orders/{order}");
        await using (var session = app.Store.QuerySession())
        {
            (await session.LoadAsync<Order>(order))!.Status.ShouldBe(OrderStatus.Cart);
            (await session.LoadAsync<RenewalRequest>(renewal))!.Step.ShouldBe(RenewalStep.Payment);
        }
        // The page offers the payment again; a cancel at the provider also changes nothing.
        var retry = await client.PostAsync($"/store/orders/{order}/pay", new()
        {
            ["type"] = "private", ["billing_name"] = "Paolo Gallo", ["fiscal_code"] = "GLLPLA80A01H501X", ["address"] = "Via Roma 1", ["post_code"] = "00100", ["city"] = "Roma", ["province"] = "RM",
            ["confirm"] = "on", ["method"] = "card",
        });
        retry.Status.ShouldBe(HttpStatusCode.Redirect, retry.Text);
        (await client.PostAsync(retry.Location!, new() { ["decision"] = "cancel" })).Location!.ShouldEndWith($"/store/orders/{order}");
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        await using (var session = app.Store.QuerySession())
        {
            (await session.LoadAsync<Order>(order))!.Status.ShouldBe(OrderStatus.Cart, "cancelled at the provider: still to pay");
            (await session.LoadAsync<RenewalRequest>(renewal))!.Step.ShouldBe(RenewalStep.Payment);
        }
        (await client.GetAsync($"/store/orders/{order}")).Document.QuerySelector("input[name=method][value=card]").ShouldNotBeNull("the payment is offered again");
        var again = await client.PostAsync($"/store/orders/{order}/pay", new()
        {
            ["type"] = "company", ["billing_name"] = "Gallo Srl", ["fiscal_code"] = "01234567890", ["vat_number"] = "123", ["address"] = "Via Po 2", ["post_code"] = "10123", ["city"] = "Torino", ["province"] = "TO",
            ["confirm"] = "on", ["method"] = "paypal",
        });
        again.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        again.Document.QuerySelector("#vat_number-error")!.TextContent.ShouldContain("11-digit");
        again.Document.QuerySelector("#billing_name")!.GetAttribute("value").ShouldBe("Gallo Srl");
    }

    private static readonly Dictionary<string, string> Billing = new()
    {
        ["type"] = "private", ["billing_name"] = "Paolo Gallo", ["fiscal_code"] = "GLLPLA80A01H501X", ["address"] = "Via Roma 1", ["post_code"] = "00100", ["city"] = "Roma", ["province"] = "RM", ["confirm"] = "on",
    };

    private static Dictionary<string, string> PayWith(string method) => new(Billing) { ["method"] = method };

    private static void ShowsTheFormAsTyped(PortalClient.Page page, string method)
    {
        foreach (var field in new[] { "billing_name", "fiscal_code", "address" })
            page.Document.QuerySelector($"#{field}")!.GetAttribute("value").ShouldBe(Billing[field], $"{field} kept");
        page.Document.QuerySelector($"input[name=method][value={method}]")!.HasAttribute("checked").ShouldBeTrue($"{method} still chosen");
    }

    [Fact]
    public async Task a_declined_card_or_a_cancelled_paypal_comes_back_with_a_message_and_the_form_as_typed()
    {
        var (holder, client, _, order) = await AtTheStore();
        var provider = (await Checkout(client, order, $"declined-card-{holder.Id}@example.test")).Location!;
        (await client.PostAsync(provider, new() { ["decision"] = "decline" })).Location!.ShouldEndWith($"/store/orders/{order}");
        var declined = await client.GetAsync($"/store/orders/{order}");
        declined.Document.QuerySelector("#payment-problem")!.TextContent.ShouldContain("declined");
        declined.Document.QuerySelector("#payment-problem")!.TextContent.ShouldContain("nothing was charged");
        ShowsTheFormAsTyped(declined, "card");

        var paypal = (await client.PostAsync($"/store/orders/{order}/pay", PayWith("paypal"))).Location!;
        (await client.PostAsync(paypal, new() { ["decision"] = "cancel" })).Location!.ShouldEndWith($"/store/orders/{order}");
        await client.PostAsync("/lang", new() { ["lang"] = "it", ["return"] = $"/store/orders/{order}" });
        var cancelled = await client.GetAsync($"/store/orders/{order}");
        cancelled.Document.QuerySelector("#payment-problem")!.TextContent.ShouldContain("PayPal");
        cancelled.Document.QuerySelector("#payment-problem")!.TextContent.ShouldContain("annullato");
        ShowsTheFormAsTyped(cancelled, "paypal");
    }

    [Fact]
    public async Task leaving_the_providers_page_leaves_a_way_back_to_it_another_way_to_pay_and_the_renewal()
    {
        var (holder, client, renewal, order) = await AtTheStore();
        var email = $"left-{holder.Id}@example.test";
        var provider = (await Checkout(client, order, email)).Location!;
        // The holder closes the provider's page (or presses Back) and comes to the order again.
        var waiting = await client.GetAsync($"/store/orders/{order}");
        waiting.Document.QuerySelector("#awaiting-payment").ShouldNotBeNull();
        waiting.Document.QuerySelector("#return-to-provider")!.GetAttribute("href").ShouldBe(provider);
        waiting.Document.QuerySelector($"a[href='/renewal/{renewal}']").ShouldNotBeNull("a way back to the renewal");
        var other = await client.PostAsync($"/store/orders/{order}/retry", new());
        other.Location.ShouldBe($"/store/orders/{order}");
        var again = await client.GetAsync($"/store/orders/{order}");
        again.Document.QuerySelector("#payment-problem")!.TextContent.ShouldContain("nothing was charged");
        ShowsTheFormAsTyped(again, "card");
        // The abandoned checkout can no longer take the money.
        await client.GetAsync(provider);
        await client.PostAsync(provider, new() { ["decision"] = "approve" });
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        (await OrderNow(order)).Status.ShouldBe(OrderStatus.Cart, "the abandoned checkout was closed at the provider");
        (await client.PostAsync($"/store/orders/{order}/retry", new())).Status.ShouldBe(HttpStatusCode.Conflict, "nothing to abandon any more");

        // Another way: a bank transfer, with everything a bank asks for on the page and in a mail, in the holder's language.
        await client.PostAsync("/lang", new() { ["lang"] = "it", ["return"] = $"/store/orders/{order}" });
        await client.GetAsync($"/store/orders/{order}");
        (await client.PostAsync($"/store/orders/{order}/pay", PayWith("transfer"))).Location.ShouldBe($"/store/orders/{order}");
        var page = await client.GetAsync($"/store/orders/{order}");
        page.Document.QuerySelector("#transfer-beneficiary")!.TextContent.ShouldBe("MySign S.p.A.");
        page.Document.QuerySelector("#transfer-bic")!.TextContent.ShouldBe("BLOPIT22XXX");
        var reference = page.Document.QuerySelector("#transfer-reference")!.TextContent;
        var mail = await app.Smtp.WaitForAsync(email, m => m.TextBody?.Contains(reference) == true);
        mail.Subject.ShouldBe("MySign Store: istruzioni per il bonifico");
        foreach (var expected in new[] { "MySign S.p.A.", "IT60X0542811101000000123456", "BLOPIT22XXX", "36,60 €", reference, $"http://localhost/store/orders/{order}" })
            mail.TextBody!.ShouldContain(expected);
        mail.HtmlBody!.ShouldContain(reference);
    }

    private static string Statement(params (string EntryRef, string Amount, string Remittance)[] credits) => BankStatements.Camt053(credits);

    private static string StatementIn(string currency, params (string EntryRef, string Amount, string Remittance)[] credits) => BankStatements.Camt053In(currency, credits);

    private async Task<HttpResponseMessage> Import(string xml, string token = AppFixture.BankImportToken)
    {
        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        return await BankStatements.ImportAsync(http, xml, token);
    }

    [Fact]
    public async Task a_bank_transfer_waits_for_the_camt053_statement_and_the_renewal_resumes_at_the_next_login()
    {
        var (holder, client, renewal, order) = await AtTheStore();
        var pending = await Checkout(client, order, $"transfer-{holder.Id}@example.test", "transfer");
        pending.Location.ShouldBe($"/store/orders/{order}");
        var page = await client.GetAsync($"/store/orders/{order}");
        var reference = page.Document.QuerySelector("#transfer-reference")!.TextContent;
        reference.ShouldMatch("^MYSIGN-[A-F0-9]{10}$");
        page.Document.QuerySelector("#transfer-iban")!.TextContent.ShouldBe("IT60X0542811101000000123456");

        (await Import(Statement(("B-1", "36.60", "rinnovo " + reference)), "wrong-token")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Import("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><Document>&e;</Document>")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // A part of the total, and someone else's reference: the part is kept toward the order, nothing is paid yet.
        var partial = await (await Import(Statement(("B-0", "10.00", "acconto " + reference), ("B-9", "36.60", "MYSIGN-0000000000")))).Content.ReadAsStringAsync();
        partial.ShouldContain("\"unmatched\":1");
        partial.ShouldContain("\"applied\":1");
        partial.ShouldContain("\"paid\":0");
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<Order>(order))!.Status.ShouldBe(OrderStatus.AwaitingTransfer);
        (await client.GetAsync($"/store/orders/{order}")).Document.QuerySelector("#transfer-received")!.TextContent.ShouldContain("€26.60");

        var statement = Statement(("B-1", "26.60", "Rinnovo firma " + reference.ToLowerInvariant()));
        (await (await Import(statement)).Content.ReadAsStringAsync()).ShouldContain("\"paid\":1");
        (await (await Import(statement)).Content.ReadAsStringAsync()).ShouldContain("\"duplicates\":1", customMessage: "the same statement imported twice pays once");
        await RenewalAt(renewal, RenewalStep.Activate);

        using var nextVisit = app.Client();
        await nextVisit.LoginAsync(holder.Id, holder.Password);
        var home = (await nextVisit.GetAsync("/")).Document;
        home.QuerySelector($"#box-renewal a[href='/renewal/{renewal}']").ShouldNotBeNull();
        // The order and its documents are reached from the home page, not only from the mail that sent the invoice.
        var orders = await nextVisit.GetAsync(home.QuerySelector("#box-renewal a#renewal-orders")!.GetAttribute("href")!);
        orders.Document.QuerySelector($".orders-list a[href='/store/orders/{order}']").ShouldNotBeNull(orders.Text);
        await nextVisit.GetAsync($"/renewal/{renewal}");
        await nextVisit.PostAsync($"/renewal/{renewal}/pin", new() { ["new_pin"] = "86420135", ["confirm_pin"] = "86420135" });
        (await nextVisit.PostAsync($"/renewal/{renewal}/activate", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) }))
            .Text.ShouldContain("Your Remote Signature certificate has been renewed.");
        (await Pdf.TextAsync(await nextVisit.Response($"/store/orders/{order}/invoice.pdf"))).ShouldContain("Paid by bank transfer.");
    }

    private async Task<(TestHolder Holder, PortalClient Client, Guid Renewal, Guid Order, string Reference)> AwaitingTransfer()
    {
        var (holder, client, renewal, order) = await AtTheStore();
        await Checkout(client, order, $"transfer-{holder.Id}@example.test", "transfer");
        var reference = (await client.GetAsync($"/store/orders/{order}")).Document.QuerySelector("#transfer-reference")!.TextContent;
        return (holder, client, renewal, order, reference);
    }

    private async Task<System.Text.Json.JsonElement> Report(string xml)
    {
        using var response = await Import(xml);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<Order> OrderNow(Guid id)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<Order>(id))!;
    }

    [Fact]
    public async Task transfer_credits_add_up_and_overpaid_foreign_or_late_money_is_an_exception_an_operator_sees()
    {
        var (_, client, renewal, order, reference) = await AwaitingTransfer();
        var first = await Report(Statement(($"P1-{order:N}", "30.00", reference)));
        first.GetProperty("applied").GetInt32().ShouldBe(1, "30,00 paid something");
        first.GetProperty("paid").GetInt32().ShouldBe(0);
        (await OrderNow(order)).Status.ShouldBe(OrderStatus.AwaitingTransfer);
        var topUp = await Report(Statement(($"P2-{order:N}", "6.60", reference)));
        topUp.GetProperty("paid").GetInt32().ShouldBe(1, "30,00 + 6,60 = 36,60 pays the order");
        (await OrderNow(order)).Status.ShouldBe(OrderStatus.Paid);
        await RenewalAt(renewal, RenewalStep.Activate);

        // The same amount again, later, as a new bank entry: not "applied", but an exception to refund.
        var late = await Report(Statement(($"P3-{order:N}", "36.60", reference)));
        late.GetProperty("applied").GetInt32().ShouldBe(0);
        late.GetProperty("exceptions")[0].GetProperty("kind").GetString().ShouldBe("AfterPayment");
        late.GetProperty("exceptions")[0].GetProperty("reference").GetString().ShouldBe(reference);
        (await client.GetAsync($"/store/orders/{order}")).Document.QuerySelector("#refund-due")!.TextContent.ShouldContain("€36.60");

        var (_, other, _, foreign, otherReference) = await AwaitingTransfer();
        var dollars = await Report(StatementIn("USD", ($"U1-{foreign:N}", "36.60", otherReference)));
        dollars.GetProperty("applied").GetInt32().ShouldBe(0);
        dollars.GetProperty("exceptions")[0].GetProperty("kind").GetString().ShouldBe("WrongCurrency");
        (await OrderNow(foreign)).Status.ShouldBe(OrderStatus.AwaitingTransfer, "dollars do not pay a euro order");
        var tooMuch = await Report(Statement(($"O1-{foreign:N}", "100.00", otherReference)));
        tooMuch.GetProperty("paid").GetInt32().ShouldBe(1);
        tooMuch.GetProperty("exceptions")[0].GetProperty("kind").GetString().ShouldBe("Overpaid");
        (await OrderNow(foreign)).RefundDue.ShouldBe(63.40m);
        (await other.GetAsync($"/store/orders/{foreign}")).Document.QuerySelector("#refund-due")!.TextContent.ShouldContain("€63.40");
    }

    [Fact]
    public async Task cancelling_a_renewal_with_a_transfer_pending_cancels_the_order_and_a_credit_that_still_comes_is_refunded_not_lost()
    {
        var (_, client, renewal, order, reference) = await AwaitingTransfer();
        var waiting = await client.GetAsync($"/renewal/{renewal}");
        waiting.Text.ShouldContain("the renewal continues here");
        waiting.Text.ShouldNotContain("Proceed to payment", customMessage: "one message: the order is open, not a second invitation to pay");
        await app.Host.ExecuteAndWaitAsync(async () =>
            (await client.PostAsync($"/renewal/{renewal}/cancel", new())).Location.ShouldBe("/renewal?cancelled=1"), 30_000);
        var page = await client.GetAsync($"/store/orders/{order}");
        page.Document.QuerySelector("#order-cancelled").ShouldNotBeNull();
        page.Document.QuerySelector("#transfer-reference").ShouldBeNull("no transfer instructions for a cancelled order");

        var late = await Report(Statement(($"C1-{order:N}", "36.60", reference)));
        late.GetProperty("applied").GetInt32().ShouldBe(0);
        late.GetProperty("exceptions")[0].GetProperty("kind").GetString().ShouldBe("AfterCancellation");
        (await OrderNow(order)).Status.ShouldBe(OrderStatus.Cancelled);
        (await client.GetAsync($"/store/orders/{order}")).Document.QuerySelector("#refund-due")!.TextContent.ShouldContain("€36.60");
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<RenewalRequest>(renewal))!.Step.ShouldBe(RenewalStep.Cancelled);
    }

    private async Task<System.Text.Json.JsonElement> Refunds()
    {
        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        (await http.GetAsync("/webhooks/bank/refunds")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the same token as the statements");
        http.DefaultRequestHeaders.Authorization = new("Bearer", AppFixture.BankImportToken);
        using var response = await http.GetAsync("/webhooks/bank/refunds");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("refunds").Clone();
    }

    [Fact]
    public async Task money_received_before_the_renewal_is_cancelled_is_refunded_and_the_holder_and_the_reconciliation_report_say_so()
    {
        var (_, client, renewal, order, reference) = await AwaitingTransfer();
        (await Report(Statement(($"A1-{order:N}", "10.00", reference)))).GetProperty("applied").GetInt32().ShouldBe(1, "a part of the total");
        await app.Host.ExecuteAndWaitAsync(async () =>
            (await client.PostAsync($"/renewal/{renewal}/cancel", new())).Location.ShouldBe("/renewal?cancelled=1"), 30_000);

        var page = await client.GetAsync($"/store/orders/{order}");
        page.Document.QuerySelector("#order-cancelled").ShouldNotBeNull();
        page.Document.QuerySelector("#refund-due")!.TextContent.ShouldContain("€10.00", Case.Sensitive, "the part received before the cancellation goes back");
        (await OrderNow(order)).RefundDue.ShouldBe(10.00m);
        var before = (await Refunds()).EnumerateArray().Where(r => r.GetProperty("reference").GetString() == reference).ToList();
        before.ShouldHaveSingleItem().GetProperty("kind").GetString().ShouldBe("BeforeCancellation");
        before[0].GetProperty("entry").GetString().ShouldBe($"A1-{order:N}");
        before[0].GetProperty("amount").GetDecimal().ShouldBe(10.00m);

        // The rest still comes: refunded too, and the report lists both credits.
        (await Report(Statement(($"A2-{order:N}", "26.60", reference)))).GetProperty("exceptions")[0].GetProperty("kind").GetString().ShouldBe("AfterCancellation");
        (await client.GetAsync($"/store/orders/{order}")).Document.QuerySelector("#refund-due")!.TextContent.ShouldContain("€36.60");
        var after = (await Refunds()).EnumerateArray().Where(r => r.GetProperty("reference").GetString() == reference).ToList();
        after.Select(r => r.GetProperty("kind").GetString()).ShouldBe(["BeforeCancellation", "AfterCancellation"]);
        after.Sum(r => r.GetProperty("amount").GetDecimal()).ShouldBe(36.60m);
    }

    [Fact]
    public async Task a_paid_renewal_cannot_be_cancelled_into_losing_the_money()
    {
        var (holder, client, renewal, order) = await AtTheStore();
        var provider = (await Checkout(client, order, $"paid-{holder.Id}@example.test")).Location!;
        await client.PostAsync(provider, new() { ["decision"] = "approve" });
        await RenewalAt(renewal, RenewalStep.Activate);
        var wizard = await client.GetAsync($"/renewal/{renewal}");
        wizard.Document.QuerySelector($"form[action='/renewal/{renewal}/cancel']").ShouldBeNull("no Cancel button once paid");
        var refused = await client.PostAsync($"/renewal/{renewal}/cancel", new());
        refused.Status.ShouldBe(HttpStatusCode.Conflict);
        refused.Text.ShouldContain("already paid");
        (await RenewalAt(renewal, RenewalStep.Activate)).EndedAt.ShouldBeNull();
    }

    [Fact]
    public async Task creating_a_store_account_never_tells_whether_the_email_has_one_and_only_the_mailbox_can_confirm_it()
    {
        var (holder, client, _, order) = await AtTheStore();
        await client.GetAsync($"/store/orders/{order}");
        var email = $"owner-{holder.Id}@example.test";
        var first = await client.PostAsync($"/store/orders/{order}/account", new() { ["create"] = "1", ["name"] = "Anna Owner", ["email"] = email, ["password"] = "owners-password-1" });
        // An attacker creates "again" with the same address: the page reads the same; the owner's mailbox hears of it.
        var again = await client.PostAsync($"/store/orders/{order}/account", new() { ["create"] = "1", ["name"] = "Mallory", ["email"] = email, ["password"] = "mallorys-password" });
        again.Status.ShouldBe(first.Status);
        again.Document.QuerySelector("#store-notice")!.TextContent.ShouldBe(first.Document.QuerySelector("#store-notice")!.TextContent);
        again.Text.ShouldNotContain("already exists");
        await app.Smtp.WaitForAsync(email, m => m.Subject == "MySign Store: you already have an account");
        // Not confirmed yet: the account cannot sign in, not even with its password.
        (await client.PostAsync($"/store/orders/{order}/account", new() { ["email"] = email, ["password"] = "owners-password-1" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var link = StoreAccounts.ConfirmLink().Match((await app.Smtp.WaitForAsync(email, m => m.Subject == "MySign Store: confirm your account")).TextBody!).Value;
        (await client.GetAsync(link)).Location.ShouldBe($"/store/orders/{order}?confirmed=1");
        (await client.GetAsync(link)).Status.ShouldBe(HttpStatusCode.Gone, "a link works once");
        (await client.GetAsync($"/store/orders/{order}")).Text.ShouldContain("Store account: " + email);
        await using var session = app.Store.QuerySession();
        StorePasswords.Verify((await session.LoadAsync<StoreCustomer>(email))!.PasswordHash, "owners-password-1").ShouldBeTrue("the second creation changed nothing");
    }

    [Fact]
    public async Task a_forgotten_store_password_is_reset_from_a_single_use_mailed_link_and_the_page_tells_nobody_anything()
    {
        var (holder, client, _, order) = await AtTheStore();
        await client.GetAsync($"/store/orders/{order}");
        var email = $"forgetful-{holder.Id}@example.test";
        await StoreAccounts.CreateAndConfirmAsync(client, app.Smtp, order, "Fabio Forgetful", email, "the-first-store-pass");
        var (_, other, _, second) = await AtTheStore();
        await other.GetAsync($"/store/orders/{second}");
        var known = await other.PostAsync($"/store/orders/{second}/forgot", new() { ["email"] = email });
        var unknown = await other.PostAsync($"/store/orders/{second}/forgot", new() { ["email"] = "nobody-" + email });
        known.Location.ShouldBe(unknown.Location, "the same answer whatever was typed");
        (await other.GetAsync(known.Location!)).Document.QuerySelector("#store-reset-sent").ShouldNotBeNull();
        var mail = await app.Smtp.WaitForAsync(email, m => m.Subject == "MySign Store: choose a new password");
        var link = System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"/store/accounts/reset\?token=[A-Za-z0-9_-]+").Value;
        var token = (await other.GetAsync(link)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        (await other.PostAsync("/store/accounts/reset", new() { ["token"] = token, ["password"] = "short" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await other.PostAsync("/store/accounts/reset", new() { ["token"] = token, ["password"] = "a-brand-new-store-pass" })).Location.ShouldBe($"/store/orders/{second}");
        (await other.GetAsync(link)).Status.ShouldBe(HttpStatusCode.Gone, "a link works once");
        (await other.GetAsync($"/store/orders/{second}")).Text.ShouldContain("Store account: " + email);

        var (_, third, _, order3) = await AtTheStore();
        await third.GetAsync($"/store/orders/{order3}");
        (await third.PostAsync($"/store/orders/{order3}/account", new() { ["email"] = email, ["password"] = "the-first-store-pass" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await third.PostAsync($"/store/orders/{order3}/account", new() { ["email"] = email, ["password"] = "a-brand-new-store-pass" })).Status.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>
    /// The reset link submitted twice at once (two tabs, two new passwords): the first sets its password, the second finds
    /// the link spent. Both submissions wait at the link's row, held by the test, and go in turn.
    /// </summary>
    [Fact]
    public async Task a_store_reset_link_submitted_twice_at_once_sets_one_password()
    {
        var (holder, client, _, order) = await AtTheStore();
        await client.GetAsync($"/store/orders/{order}");
        var email = $"twice-reset-{holder.Id}@example.test";
        await StoreAccounts.CreateAndConfirmAsync(client, app.Smtp, order, "Rita Twice", email, "the-first-store-pass");
        await client.PostAsync($"/store/orders/{order}/forgot", new() { ["email"] = email });
        var mail = await app.Smtp.WaitForAsync(email, m => m.Subject == "MySign Store: choose a new password");
        var link = System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"/store/accounts/reset\?token=[A-Za-z0-9_-]+").Value;
        using var firstTab = app.Client();
        using var secondTab = app.Client();
        var token = (await firstTab.GetAsync(link)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        (await secondTab.GetAsync(link)).Status.ShouldBe(HttpStatusCode.OK);
        await AppClock.MessagesSettledAsync(app.ConnectionString);

        Task<PortalClient.Page> first, second;
        await using (var held = await HeldLock.RowAsync(app.ConnectionString, "billing.mt_doc_storeaccounttoken", StoreSignIn.HashToken(token)))
        {
            first = firstTab.PostAsync("/store/accounts/reset", new() { ["token"] = token, ["password"] = "first-new-store-pass" });
            await held.WaitersAsync(1);
            second = secondTab.PostAsync("/store/accounts/reset", new() { ["token"] = token, ["password"] = "second-new-store-pass" });
            await held.WaitersAsync(2);
        }
        (await first).Location.ShouldBe($"/store/orders/{order}");
        (await second).Status.ShouldBe(HttpStatusCode.Gone, "the link was spent by the first");
        await using var session = app.Store.QuerySession();
        var stored = (await session.LoadAsync<StoreCustomer>(email))!.PasswordHash;
        (StorePasswords.Verify(stored, "first-new-store-pass"), StorePasswords.Verify(stored, "second-new-store-pass")).ShouldBe((true, false));
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task store_sign_in_locks_after_five_wrong_passwords_like_a_holder_account()
    {
        var (holder, client, _, order) = await AtTheStore();
        await client.GetAsync($"/store/orders/{order}");
        var email = $"locked-{holder.Id}@example.test";
        await StoreAccounts.CreateAndConfirmAsync(client, app.Smtp, order, "Lia Locked", email, "the-right-store-pass");
        var (_, other, _, second) = await AtTheStore();
        await other.GetAsync($"/store/orders/{second}");
        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => other.PostAsync($"/store/orders/{second}/account", new() { ["email"] = email, ["password"] = "wrong-guess-" + i })));
        burst.ShouldAllBe(p => p.Status == HttpStatusCode.UnprocessableEntity || p.Status == (HttpStatusCode)429);
        (await other.PostAsync($"/store/orders/{second}/account", new() { ["email"] = email, ["password"] = "the-right-store-pass" }))
            .Status.ShouldBe(HttpStatusCode.UnprocessableEntity, "locked: even the right password is refused for now");
    }

    /// <summary>
    /// A double-click on "Pay" (or a browser that resends the form): the answers race for the order. One checkout opens; every
    /// answer that sends the browser somewhere sends it to that checkout (or, for a transfer, to the order with its one
    /// reference); a losing checkout opened at the provider is closed so it can take no money; nothing answers 500.
    /// </summary>
    [Theory]
    [InlineData("card")]
    [InlineData("transfer")]
    public async Task the_pay_form_submitted_several_times_at_once_opens_one_checkout_and_every_answer_leads_to_it(string method)
    {
        var (_, client, _, order) = await AtTheStore();
        await client.GetAsync($"/store/orders/{order}");
        await StoreAccounts.CreateAndConfirmAsync(client, app.Smtp, order, "Paolo Gallo", $"twice-{order:N}@example.test", "store-password-1");
        var form = new Dictionary<string, string>
        {
            ["type"] = "private", ["billing_name"] = "Paolo Gallo", ["fiscal_code"] = "GLLPLA80A01H501X", ["address"] = "Via Roma 1", ["post_code"] = "00100",
            ["city"] = "Roma", ["province"] = "RM", ["confirm"] = "on", ["method"] = method,
        };
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.PostAsync($"/store/orders/{order}/pay", form)));

        answers.Select(a => a.Status).ShouldAllBe(s => s == HttpStatusCode.Redirect || s == HttpStatusCode.Conflict, "a resent form is never a server error");
        var saved = await OrderNow(order);
        var expected = method == "card" ? saved.ProviderUrl : $"/store/orders/{order}";
        answers.Where(a => a.Status == HttpStatusCode.Redirect).Select(a => a.Location).Distinct().ShouldBe([expected], "every redirect leads to the one checkout");
        await using var session = app.Store.QuerySession();
        var open = await session.Query<SandboxCheckout>().Where(c => c.OrderId == order && c.State == "open").ToListAsync();
        open.Select(c => c.Id).ShouldBe(method == "card" ? [saved.ProviderSession!] : [], "only the order's checkout can take money");
    }

    [Fact]
    public async Task another_holders_order_is_not_found()
    {
        var (_, _, _, order) = await AtTheStore();
        var other = await Holders.CreateAsync(app.Store);
        using var intruder = app.Client();
        await intruder.LoginAsync(other.Id, other.Password);
        (await intruder.GetAsync($"/store/orders/{order}")).Status.ShouldBe(HttpStatusCode.NotFound);
        await intruder.GetAsync("/");
        (await intruder.PostAsync($"/store/orders/{order}/promo", new() { ["promo"] = "WELCOME10" })).Status.ShouldBe(HttpStatusCode.NotFound);
        (await intruder.GetAsync($"/store/orders/{order}/invoice.pdf")).Status.ShouldBe(HttpStatusCode.NotFound);
    }
}
