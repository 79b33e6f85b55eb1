using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MySign.Billing.Domain;
using MySign.Billing.Payments;

namespace MySign.Tests.Billing;

/// <summary>The real hosted-payment-page adapter against a real HTTP server on loopback playing the provider.</summary>
public sealed class HostedPaymentProviderTests
{
    [Fact]
    public async Task it_creates_a_checkout_session_with_the_bearer_key_and_sends_the_browser_to_the_providers_page()
    {
        using var listener = new HttpListener();
        var url = $"http://127.0.0.1:{SmtpServer.FreePort()}/";
        listener.Prefixes.Add(url);
        listener.Start();
        string? authorization = null;
        JsonElement body = default;
        var serving = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            authorization = context.Request.Headers["Authorization"];
            using var reader = new StreamReader(context.Request.InputStream);
            body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            context.Request.Url!.AbsolutePath.ShouldBe("/v1/checkout/sessions");
            var answer = Encoding.UTF8.GetBytes("""{"id":"cs_live_1","url":"https://pay.example/cs_live_1"}""");
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        });

        var order = new Order { Id = Guid.NewGuid() };
        order.Price(30.00m, 0.22m, 0);
        var provider = new HostedPaymentProvider(new HttpClient(), Options.Create(new PaymentOptions { Provider = "hosted", Url = url, ApiKey = "sk-test-1" }));
        var (session, redirect) = await provider.StartAsync(order, "paypal", "http://portal.example/store/orders/x/return", CancellationToken.None);
        await serving;

        session.ShouldBe("cs_live_1");
        redirect.ShouldBe("https://pay.example/cs_live_1");
        authorization.ShouldBe("Bearer sk-test-1");
        body.GetProperty("amount").GetString().ShouldBe("36.60");
        body.GetProperty("currency").GetString().ShouldBe("EUR");
        body.GetProperty("method").GetString().ShouldBe("paypal");
        body.GetProperty("reference").GetGuid().ShouldBe(order.Id);
    }

    [Fact]
    public async Task a_checkout_the_holder_left_is_closed_at_the_provider_unless_it_was_already_paid()
    {
        await using var stub = new PaymentProviderStub();
        stub.Paid.Add("cs_paid");
        var provider = new HostedPaymentProvider(new HttpClient(), Options.Create(new PaymentOptions { Provider = "hosted", Url = stub.Url, ApiKey = "sk-test-1" }));
        (await provider.CloseAsync("cs_open", CancellationToken.None)).ShouldBeTrue();
        (await provider.CloseAsync("cs_paid", CancellationToken.None)).ShouldBeFalse("the provider already took the money: too late to close");
        stub.Expired.ShouldBe(["cs_open", "cs_paid"]);
    }

    [Theory]
    [InlineData("IT60X0542811101000000123456", true)]
    [InlineData("IT60 X054 2811 1010 0000 0123 456", false)]
    [InlineData("IT61X0542811101000000123456", false)]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("GB82WEST1234569876543", false)]
    public void an_iban_is_accepted_only_with_its_check_digits(string iban, bool valid) => PaymentOptions.IsIban(iban).ShouldBe(valid);

    [Fact]
    public void a_signature_is_accepted_once_made_with_the_secret_and_refused_when_anything_differs()
    {
        var signature = new WebhookSignature(Options.Create(new PaymentOptions { WebhookSecret = "s3cret" }), TimeProvider.System);
        var other = new WebhookSignature(Options.Create(new PaymentOptions { WebhookSecret = "other" }), TimeProvider.System);
        const string body = """{"id":"evt_1","type":"payment.succeeded"}""";
        signature.Verify(signature.Sign(body), body).ShouldBeTrue();
        signature.Verify(other.Sign(body), body).ShouldBeFalse();
        signature.Verify(signature.Sign(body), body + " ").ShouldBeFalse();
        signature.Verify("t=abc,v1=zz", body).ShouldBeFalse();
        signature.Verify(null, body).ShouldBeFalse();
    }
}
