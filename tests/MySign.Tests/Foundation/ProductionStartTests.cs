namespace MySign.Tests.Foundation;

/// <summary>The host as it is shipped: ASPNETCORE_ENVIRONMENT=Production, no demo data, the secrets fly.toml's deployment sets.</summary>
public sealed class ProductionStartTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();

    public Task InitializeAsync() => _smtp.StartAsync();
    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    public static Dictionary<string, string> Production(bool hosted) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Demo__Seed"] = "false",
        ["Otp__Pepper"] = "production-test-pepper", ["Certificates__KeySecret"] = "production-test-key-secret",
        ["Billing__Payments__WebhookSecret"] = "production-test-webhook-secret", ["Wolverine__Mode"] = "Solo",
        ["Billing__Payments__Provider"] = hosted ? "hosted" : "", ["Billing__Payments__Url"] = hosted ? "http://127.0.0.1:9/" : "",
        ["Billing__Payments__ApiKey"] = hosted ? "production-test-api-key" : "",
    };

    [Fact]
    public async Task production_refuses_to_start_with_the_sandbox_payment_provider_and_names_the_setting()
    {
        await using var app = new AppProcess();
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => app.StartAsync(_smtp, Production(hosted: false)));
        refused.Message.ShouldContain("Billing__Payments__Provider=hosted");
        refused.Message.ShouldNotContain("Application started");
    }

    [Fact]
    public async Task production_starts_with_the_hosted_provider_sends_hsts_and_no_server_header_and_has_no_sandbox_pages()
    {
        await using var app = new AppProcess();
        await app.StartAsync(_smtp, Production(hosted: true), releaseStep: true);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var login = await http.GetAsync("/login");
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        login.Headers.Contains("Strict-Transport-Security").ShouldBeTrue();
        login.Headers.GetValues("Strict-Transport-Security").Single().ShouldContain("max-age=");
        login.Headers.Contains("Server").ShouldBeFalse("no Server header tells what runs the site");
        (await http.GetAsync("/store/sandbox/cs_0123456789abcdef01234567")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("/dev/outbox")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
