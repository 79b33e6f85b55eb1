using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MySign.Kernel.Operations;
using MySign.Otp.Sms;

namespace MySign.Tests.Otp;

/// <summary>The real operator adapter against a real HTTP server on loopback that answers as we tell it.</summary>
public sealed class HttpSmsGatewayTests
{
    private sealed class Clients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }

    private static HttpSmsGateway Gateway(SmsOperator op) => new(new Clients(),
        Options.Create(new SmsOptions { Provider = "http", Url = op.Url, ApiKey = "k-123", Attempts = 3, Timeout = TimeSpan.FromSeconds(5) }),
        NullLogger<HttpSmsGateway>.Instance);

    [Fact]
    public async Task it_posts_the_message_with_the_api_key_and_retries_a_failing_operator()
    {
        using var op = new SmsOperator();
        op.Answers.Enqueue(503);
        op.Answers.Enqueue(500);
        await Gateway(op).SendAsync("+393331234567", "MySign: 12345678", CancellationToken.None);
        op.Received.Count.ShouldBe(3);
        op.Received[^1].Authorization.ShouldBe("Bearer k-123");
        op.Received[^1].Body.GetProperty("to").GetString().ShouldBe("+393331234567");
        op.Received[^1].Body.GetProperty("text").GetString().ShouldBe("MySign: 12345678");
    }

    [Fact]
    public async Task a_timeout_or_too_many_requests_means_later_not_never()
    {
        using var op = new SmsOperator();
        op.Answers.Enqueue(429);
        op.Answers.Enqueue(408);
        await Gateway(op).SendAsync("+393331234567", "x", CancellationToken.None);
        op.Received.Select(r => r.Status).ShouldBe([429, 408, 202]);
    }

    [Fact]
    public async Task a_refusal_from_the_operator_is_final()
    {
        using var op = new SmsOperator();
        op.Answers.Enqueue(400);
        await Should.ThrowAsync<SmsRefusedException>(() => Gateway(op).SendAsync("+393331234567", "x", CancellationToken.None));
        op.Received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task an_operator_that_keeps_failing_gives_up_after_the_configured_attempts()
    {
        using var op = new SmsOperator();
        for (var i = 0; i < 5; i++) op.Answers.Enqueue(502);
        await Should.ThrowAsync<PartyAwayException>(() => Gateway(op).SendAsync("+393331234567", "x", CancellationToken.None));
        op.Received.Count.ShouldBe(3);
    }
}
