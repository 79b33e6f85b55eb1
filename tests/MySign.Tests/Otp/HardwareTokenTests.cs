using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using MySign.Otp.Tokens;
using MySign.Otp.Challenges;
using MySign.Otp.Codes;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using Wolverine;

namespace MySign.Tests.Otp;

[Collection(AppCollection.Name)]
public sealed class HardwareTokenTests(AppFixture app)
{
    private async Task<(string Serial, byte[] Seed)> Provision(string? assignedTo = null)
    {
        var seed = RandomNumberGenerator.GetBytes(20);
        var serial = "TK" + Random.Shared.Next(10_000_000, 99_999_999);
        await using var session = app.Store.LightweightSession();
        session.Store(new HardwareToken { Id = serial, Seed = app.Host.Services.GetRequiredService<OtpSecrets>().Protect(seed), AssignedTo = assignedTo });
        await session.SaveChangesAsync();
        return (serial, seed);
    }

    private async Task<(PortalClient Client, TestHolder Holder, string Challenge)> Start()
    {
        var holder = await Holders.CreateAsync(app.Store);
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/");
        var page = await client.PostAsync("/otp/token/start", new Dictionary<string, string>());
        page.Status.ShouldBe(HttpStatusCode.OK);
        return (client, holder, page.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!);
    }

    private static Dictionary<string, string> Form(string challenge, string serial, string tokenCode, string code) =>
        new() { ["challenge"] = challenge, ["serial"] = serial, ["token_code"] = tokenCode, ["code"] = code, ["destination"] = "x" };

    [Fact]
    public async Task the_demo_provisions_a_hardware_token_whose_current_code_the_dev_outbox_shows()
    {
        var (client, holder, challenge) = await Start();
        using var _ = client;
        var sms = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

        // What a person trying `make run` reads: the demo token's serial and the code it shows now.
        var outbox = await client.GetAsync("/dev/outbox");
        var display = outbox.Document.QuerySelectorAll("article.outbox-mail").Single(a => a.TextContent.Contains("Hardware token"));
        display.TextContent.ShouldContain(MySign.Dev.Demo.TokenSerial);
        var shown = System.Text.RegularExpressions.Regex.Match(display.QuerySelector("pre")!.TextContent, @"shows (\d{6})").Groups[1].Value;
        var now = DateTimeOffset.UtcNow;
        new[] { OneTimeCodes.Totp(MySign.Dev.Demo.TokenSeed, now), OneTimeCodes.Totp(MySign.Dev.Demo.TokenSeed, now.AddSeconds(-30)) }
            .ShouldContain(shown, "the demo token's code now (or a moment ago, if its 30-second step just turned)");

        var done = await client.PostAsync("/otp/token/confirm", Form(challenge, MySign.Dev.Demo.TokenSerial, shown, sms));
        done.Status.ShouldBe(HttpStatusCode.Redirect, "the code shown is one the provisioned token accepts");
        (await client.GetAsync("/portal/boxes/otp", htmx: true)).Text.ShouldContain("Hardware token");
    }

    [Fact]
    public async Task a_holder_takes_a_provisioned_token_with_its_current_code_and_then_confirms_with_it()
    {
        var (serial, seed) = await Provision();
        var (client, holder, challenge) = await Start();
        using var _ = client;
        var sms = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

        var wrong = await client.PostAsync("/otp/token/confirm", Form(challenge, serial, OneTimeCodes.Totp(seed, DateTimeOffset.UtcNow.AddMinutes(-5)), sms));
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrong.Document.QuerySelector("#otp-error")!.TextContent.ShouldBe("The serial number or the token's code is not correct.");

        var done = await client.PostAsync("/otp/token/confirm", Form(challenge, serial.ToLowerInvariant(), OneTimeCodes.Totp(seed, DateTimeOffset.UtcNow), sms));
        done.Status.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetAsync("/portal/boxes/otp", htmx: true)).Text.ShouldContain("Hardware token");

        using var scope = app.Host.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var issued = await bus.InvokeAsync<OtpIssued>(new IssueOtp(holder.Id, "pin.change", "c"));
        issued.Channel.ShouldBe(ReceptionMode.HardwareToken);
        var next = OneTimeCodes.Totp(seed, DateTimeOffset.UtcNow.AddSeconds(30));
        (await bus.InvokeAsync<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "c", next))).IsValid.ShouldBeTrue();
        var again = await bus.InvokeAsync<OtpIssued>(new IssueOtp(holder.Id, "pin.change", "c2"));
        (await bus.InvokeAsync<OtpVerified>(new VerifyOtp(again.ChallengeId, holder.Id, "pin.change", "c2", next))).Outcome.ShouldBe(OtpOutcome.Wrong, "a token code is not accepted twice");
    }

    [Fact]
    public async Task a_token_assigned_to_someone_else_cannot_be_taken()
    {
        var (serial, seed) = await Provision(assignedTo: "someone-else");
        var (client, holder, challenge) = await Start();
        using var _ = client;
        var page = await client.PostAsync("/otp/token/confirm", Form(challenge, serial, OneTimeCodes.Totp(seed, DateTimeOffset.UtcNow), await Holders.LastSmsCodeAsync(app.Store, holder.Phone)));
        page.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<OtpSettings>(holder.Id))!.Mode.ShouldBe(ReceptionMode.Sms);
        (await session.LoadAsync<HardwareToken>(serial))!.AssignedTo.ShouldBe("someone-else");
    }

    [Fact]
    public void the_token_file_takes_hex_or_base32_seeds_and_reports_bad_lines()
    {
        var (tokens, errors) = TokenCsv.Parse([
            "serial,seed", "tk-001,3132333435363738393031323334353637383930", "TK-002;GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "TK-003,zz", "broken",
        ]);
        tokens.Select(t => t.Serial).ShouldBe(["TK-001", "TK-002"]);
        tokens[0].Seed.ShouldBe(tokens[1].Seed);
        errors.Count.ShouldBe(2);
    }
}
