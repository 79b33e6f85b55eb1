using Marten;
using MySign.Billing.Domain;
using MySign.Kernel.Operations;

namespace MySign.Tests.Foundation;

/// <summary>The TSP's operator commands, run as an administrator would against a running portal's database.</summary>
public sealed class OperatorCommandTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();
    private readonly AppProcess _app = new();
    private IDocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        // The mail relay is down for this portal: readiness must say so (nothing here needs mail).
        await _app.StartAsync(_smtp, new Dictionary<string, string> { ["Smtp__Port"] = SmtpServer.FreePort().ToString(), ["Wolverine__Mode"] = "Solo" });
        _store = AppStore.For(_app.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _app.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private PortalClient Browser() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, _app.BaseAddress);

    [Fact]
    public async Task readiness_names_what_is_missing()
    {
        using var http = new HttpClient { BaseAddress = _app.BaseAddress };
        var ready = await http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var checks = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        checks.GetProperty("smtp").GetString().ShouldBe("failed");
        checks.GetProperty("database").GetString().ShouldBe("ok");
        checks.GetProperty("catalogue").GetString().ShouldBe("ok");
        (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK, "liveness stays cheap");
    }

    /// <summary>keys-status counts holder keys per form for the move into the HSM (docs/adr/0015): the demo's keys were all made in the token.</summary>
    [Fact]
    public async Task keys_status_counts_the_holder_keys_in_each_form()
    {
        var (exit, output) = await _app.RunAsync("keys-status");
        exit.ShouldBe(0, output);
        var counted = System.Text.RegularExpressions.Regex.Match(output, @"holder keys: token (\d+), pkcs8 (\d+)");
        counted.Success.ShouldBeTrue(output);
        int.Parse(counted.Groups[1].Value).ShouldBeGreaterThan(0, output);
        counted.Groups[2].Value.ShouldBe("0", output);
        output.ShouldContain("live CSC grants: token ");
    }

    [Fact]
    public async Task a_reset_operator_chooses_a_new_password_at_the_next_sign_in_and_a_disabled_one_is_out_everywhere()
    {
        var op = new TestOperator("rao.genova", "a genova operator passphrase", "Genova Porto", "+393471119988");
        (await _app.RunWithInputAsync(op.Password, "rao-add", op.Id, op.Office, "Gino Genova", op.Mobile)).Exit.ShouldBe(0);
        using (var console = Browser()) (await Operators.SignInAsync(console, _store, op)).Location.ShouldBe("/rao");

        var (exit, output) = await _app.RunWithInputAsync("a temporary passphrase 1", "rao-reset-password", op.Id);
        exit.ShouldBe(0, output);
        using var next = Browser();
        var temporary = op with { Password = "a temporary passphrase 1" };
        var step = await Operators.SignInAsync(next, _store, temporary);
        step.Status.ShouldBe(HttpStatusCode.OK, "the console does not open yet");
        step.Text.ShouldContain("choose a new one");
        var pending = step.Document.QuerySelector("input[name=pending]")!.GetAttribute("value")!;
        (await next.GetAsync("/rao")).Location.ShouldStartWith("/rao/login");
        (await next.PostAsync("/rao/login/password", new() { ["pending"] = pending, ["new"] = "short", ["confirm"] = "short" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await next.PostAsync("/rao/login/password", new() { ["pending"] = pending, ["new"] = "my own new passphrase 7", ["confirm"] = "my own new passphrase 7" }))
            .Location.ShouldBe("/rao");
        (await next.GetAsync("/rao")).Status.ShouldBe(HttpStatusCode.OK);

        (exit, output) = await _app.RunAsync("rao-disable", op.Id);
        exit.ShouldBe(0, output);
        (await next.GetAsync("/rao")).Location.ShouldStartWith("/rao/login", customMessage: "the disabled operator's session ended");
        using var again = Browser();
        await again.GetAsync("/rao/login");
        (await again.PostAsync("/rao/login", new() { ["username"] = op.Id, ["password"] = "my own new passphrase 7" })).Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await _app.RunAsync("rao-list")).Output.ShouldContain("rao.genova\tGenova Porto\tGino Genova\t+393471119988\tdisabled");

        await using var session = _store.QuerySession();
        var audit = await session.Query<CommandAudit>().OrderBy(a => a.At).ToListAsync();
        audit.Select(a => a.Command).ShouldBe(["rao-add", "rao-reset-password", "rao-disable"]);
        audit.ShouldAllBe(a => !a.Arguments.Contains("passphrase"), "no password in the audit");
    }

    [Fact]
    public async Task promotional_codes_are_added_listed_and_disabled_by_command()
    {
        (await _app.RunAsync("promo-add", "SPRING25", "--percent", "25")).Exit.ShouldNotBe(0, "--until is required");
        var (exit, output) = await _app.RunAsync("promo-add", "SPRING25", "--percent", "25", "--until", DateTime.UtcNow.AddMonths(2).ToString("yyyy-MM-dd"), "--max-uses", "3");
        exit.ShouldBe(0, output);
        (await _app.RunAsync("promo-add", "SPRING25", "--amount", "5", "--until", "2030-01-01")).Exit.ShouldNotBe(0, "a code exists once");
        (await _app.RunAsync("promo-list")).Output.ShouldContain("SPRING25\t25%");
        (await _app.RunAsync("promo-disable", "SPRING25")).Exit.ShouldBe(0);
        (await _app.RunAsync("promo-list")).Output.ShouldContain("0/3\tdisabled");
        await using var session = _store.QuerySession();
        (await session.LoadAsync<PromoCode>("SPRING25"))!.Disabled.ShouldBeTrue();
    }
}
