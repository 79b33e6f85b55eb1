using Marten;
using MySign.Accounts.Domain;
using MySign.Dev;

namespace MySign.Tests.Accounts;

/// <summary>
/// The mail relay away, two nodes on one database: every security action still answers its page (the change is made,
/// its mail waits in the durable outbox), and once the relay is back each mail arrives, exactly once, whichever node
/// tried it. Settings as shipped: the mail's retries are Wolverine's policy in Program.cs.
/// </summary>
public sealed class MailOutageTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();
    private readonly AppProcess _a = new(), _b = new();
    private IDocumentStore _store = null!;

    private static Dictionary<string, string> Node() => new()
    {
        // Every client of this test comes from 127.0.0.1, as the browser stories' do.
        ["RateLimits__LoginPerWindow"] = "500", ["RateLimits__RecoveryPerWindow"] = "500",
    };

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        await _a.StartAsync(_smtp, Node());
        await _b.JoinAsync(_a, _smtp, Node());
        _store = AppStore.For(_a.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private static PortalClient Client(AppProcess node) => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, node.BaseAddress);

    private static string On(AppProcess node, string path) => new Uri(node.BaseAddress, path).ToString();

    /// <summary>One security action: done on a node while the relay is away, its page as expected, then its mail.</summary>
    private sealed record Row(string Name, Func<Task<PortalClient.Page>> Act, HttpStatusCode Answers, string To, string Subject);

    private async Task<TestHolder> HolderAsync(string office = "")
    {
        var holder = await Holders.CreateAsync(_store, "Elena", "Fabbri");
        await using var session = _store.LightweightSession();
        var account = (await session.LoadAsync<HolderAccount>(holder.Id))!;
        account.Office = office;
        account.Language = "en";
        session.Store(account);
        await session.SaveChangesAsync();
        return holder;
    }

    private static async Task<PortalClient> SignedInAsync(AppProcess node, TestHolder holder)
    {
        var client = Client(node);
        (await client.LoginAsync(holder.Id, holder.Password)).Location.ShouldBe("/");
        await client.GetAsync("/account");
        return client;
    }

    [Fact]
    public async Task with_the_relay_away_every_security_action_answers_and_its_mail_arrives_once_when_the_relay_is_back()
    {
        var op = await Operators.CreateAsync(_store);
        using var rao = Client(_a);
        (await Operators.SignInAsync(rao, _store, op)).Location.ShouldBe("/rao");
        var desk = new Dictionary<string, string> { ["doc_type"] = "passport", ["doc_number"] = "YA1234567", ["doc_expiry"] = DateTime.UtcNow.AddYears(3).ToString("dd/MM/yyyy") };
        async Task<PortalClient.Page> DeskAsync(AppProcess node, string holder, string action)
        {
            await rao.GetAsync(On(node, $"/rao/holders/{holder}"));
            return await rao.PostAsync(On(node, $"/rao/holders/{holder}/desk"), new(desk) { ["action"] = action });
        }

        // With the relay still here: the links the holders will follow during the outage.
        var lostPhone = await HolderAsync(op.Office);
        (await DeskAsync(_a, lostPhone.Id, "reset_otp")).Status.ShouldBe(HttpStatusCode.OK);
        var otpReset = MailLinks.Click(await _smtp.WaitForAsync(lostPhone.Email, m => m.Subject == "MySign: register your new OTP phone"), "/otp-reset");
        using var phoneOwner = Client(_b);
        var otpToken = (await phoneOwner.GetAsync(otpReset)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        (await phoneOwner.PostAsync("/otp-reset", new() { ["token"] = otpToken, ["mobile"] = "+393398765431" })).Status.ShouldBe(HttpStatusCode.OK);

        await using (var session = _store.LightweightSession())
        {
            var demo = (await session.LoadAsync<HolderAccount>(Demo.HolderUserId))!;
            demo.Office = op.Office;
            demo.Language = "en";
            session.Store(demo);
            await session.SaveChangesAsync();
        }
        (await DeskAsync(_b, Demo.HolderUserId, "forgotten_pin")).Status.ShouldBe(HttpStatusCode.OK);
        var newPin = MailLinks.Click(await _smtp.WaitForAsync(Demo.HolderEmail, m => m.Subject == "MySign: choose your new signature PIN"), "/new-pin");
        using var pinOwner = Client(_a);
        var pinToken = (await pinOwner.GetAsync(newPin)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        (await pinOwner.PostAsync("/new-pin", new() { ["token"] = pinToken, ["pin"] = "58203916", ["pin_confirm"] = "58203916" })).Status.ShouldBe(HttpStatusCode.OK);

        var forgetful = await HolderAsync();
        using var resetter = Client(_a);
        await resetter.GetAsync("/forgot-password");
        await resetter.PostAsync("/forgot-password", new() { ["user_id"] = forgetful.Id });
        var resetLink = MailLinks.Click(await _smtp.WaitForAsync(forgetful.Email, m => m.Subject == "MySign: set a new password"), "/reset-password");
        var resetToken = (await resetter.GetAsync(resetLink)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;

        var (signIn, password, mobile, email) = (await HolderAsync(), await HolderAsync(), await HolderAsync(), await HolderAsync());
        using var signInClient = await SignedInAsync(_b, signIn);
        using var passwordClient = await SignedInAsync(_a, password);
        using var mobileClient = await SignedInAsync(_a, mobile);
        using var emailClient = await SignedInAsync(_b, email);
        var (unblock, forgotten, lost, asked) = (await HolderAsync(op.Office), await HolderAsync(op.Office), await HolderAsync(op.Office), await HolderAsync());
        const string newAddress = "elena.new@example.test";
        const string newMobile = "+393481234567";

        Row[] rows =
        [
            new("sign-in settings on B", () => signInClient.PostAsync("/account/sign-in", new() { ["factor"] = "on", ["password"] = signIn.Password }),
                HttpStatusCode.Redirect, signIn.Email, "MySign: your sign-in settings were changed"),
            new("password change on A", () => passwordClient.PostAsync("/account/password", new() { ["current"] = password.Password, ["new"] = "another-long-password-77", ["confirm"] = "another-long-password-77" }),
                HttpStatusCode.OK, password.Email, "MySign: your password was changed"),
            new("recovery e-mail on B (the new address)", () => emailClient.PostAsync("/account/recovery/email", new() { ["email"] = newAddress, ["current"] = email.Password }),
                HttpStatusCode.OK, newAddress, "MySign: confirm your recovery e-mail"),
            new("recovery e-mail on B (the old address)", () => Task.FromResult<PortalClient.Page>(null!), 0, email.Email, "MySign: recovery e-mail change requested"),
            new("recovery mobile on A", async () =>
            {
                var started = await mobileClient.PostAsync("/account/recovery/mobile", new() { ["mobile"] = newMobile, ["current"] = mobile.Password });
                var action = started.Document.QuerySelector("#box-recovery form")!.GetAttribute("action")!;
                return await mobileClient.PostAsync(action, new() { ["code"] = await Holders.LastSmsCodeAsync(_store, newMobile) });
            }, HttpStatusCode.OK, mobile.Email, "MySign: your recovery mobile was changed"),
            new("new password from the reset link on A", () => resetter.PostAsync("/reset-password", new() { ["token"] = resetToken, ["password"] = "a-brand-new-password-9", ["confirm"] = "a-brand-new-password-9" }),
                HttpStatusCode.OK, forgetful.Email, "MySign: your password was changed"),
            new("forgotten password on B", async () =>
            {
                using var visitor = Client(_b);
                await visitor.GetAsync("/forgot-password");
                return await visitor.PostAsync("/forgot-password", new() { ["user_id"] = asked.Id });
            }, HttpStatusCode.OK, asked.Email, "MySign: set a new password"),
            new("desk: PIN unblocked on B", () => DeskAsync(_b, unblock.Id, "unblock_pin"), HttpStatusCode.OK, unblock.Email, "MySign: your signature PIN was unblocked"),
            new("desk: forgotten PIN on A", () => DeskAsync(_a, forgotten.Id, "forgotten_pin"), HttpStatusCode.OK, forgotten.Email, "MySign: choose your new signature PIN"),
            new("desk: lost phone on B", () => DeskAsync(_b, lost.Id, "reset_otp"), HttpStatusCode.OK, lost.Email, "MySign: register your new OTP phone"),
            new("new OTP phone confirmed on A", async () => await phoneOwner.PostAsync(On(_a, "/otp-reset/confirm"),
                new() { ["token"] = otpToken, ["code"] = await Holders.LastSmsCodeAsync(_store, "+393398765431") }), HttpStatusCode.OK, lostPhone.Email, "MySign: your new OTP phone is registered"),
            new("new PIN confirmed on B", async () => await pinOwner.PostAsync(On(_b, "/new-pin/confirm"),
                new() { ["token"] = pinToken, ["code"] = await Holders.LastSmsCodeAsync(_store, Demo.HolderMobile) }), HttpStatusCode.OK, Demo.HolderEmail, "MySign: your new certificate and PIN are active"),
        ];

        await _smtp.StopAsync();
        var answers = new List<string>();
        foreach (var row in rows.Where(r => r.Answers != 0))
        {
            var page = await row.Act();
            if (page.Status != row.Answers) answers.Add($"{row.Name}: answered {(int)page.Status}, not {(int)row.Answers}");
        }
        await _smtp.StartAsync();
        answers.ShouldBeEmpty("with the relay away, each action still answers its page");

        var missing = new List<string>();
        foreach (var row in rows)
        {
            try { await _smtp.WaitForAsync(row.To, m => m.Subject == row.Subject, TimeSpan.FromMinutes(4)); }
            catch (TimeoutException) { missing.Add(row.Name); }
        }
        missing.ShouldBeEmpty("each mail arrives once the relay is back");
        await AppClock.MessagesSettledAsync(_a.ConnectionString);
        rows.Select(r => (r.Name, Count: _smtp.Messages().Count(m => m.To.ToString().Contains(r.To) && m.Subject == r.Subject)))
            .Where(r => r.Count != 1).Select(r => $"{r.Name}: {r.Count} mails").ShouldBeEmpty("exactly once, across both nodes");
    }
}
