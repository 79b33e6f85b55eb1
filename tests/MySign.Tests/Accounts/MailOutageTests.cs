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
    private readonly TwoNodes _nodes = new();
    private SmtpServer Smtp => _nodes.Smtp;
    private AppProcess A => _nodes.A;
    private AppProcess B => _nodes.B;
    private IDocumentStore Store => _nodes.Store;

    // Every client of this test comes from 127.0.0.1, as the browser stories' do.
    public Task InitializeAsync() => _nodes.StartAsync(new Dictionary<string, string> { ["RateLimits__LoginPerWindow"] = "500", ["RateLimits__RecoveryPerWindow"] = "500" });

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private static PortalClient Client(AppProcess node) => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, node.BaseAddress);

    private static string On(AppProcess node, string path) => new Uri(node.BaseAddress, path).ToString();

    /// <summary>One security action: done on a node while the relay is away, its page as expected, then its mail.</summary>
    private sealed record Row(string Name, Func<Task<PortalClient.Page>> Act, HttpStatusCode Answers, string To, string Subject);

    private Task<TestHolder> HolderAsync(string office = "") => Holders.CreateAsync(Store, "Elena", "Fabbri", "en", office);

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
        var op = await Operators.CreateAsync(Store);
        using var rao = Client(A);
        (await Operators.SignInAsync(rao, Store, op)).Location.ShouldBe("/rao");
        Task<PortalClient.Page> DeskAsync(AppProcess node, string holder, string action) => Desk.ActAsync(rao, holder, action, node.BaseAddress);

        async Task<(string Id, string Email)> ActivatedAsync()
        {
            await rao.GetAsync("/rao/holders/new");
            var applicant = Applicant.New("Elena", "F");
            var saved = await rao.PostAsync("/rao/holders", applicant.Form());
            saved.Status.ShouldBe(HttpStatusCode.Redirect, "registration");
            var mail = await Smtp.WaitForAsync(applicant.Email, m => m.Subject == "MySign: your User ID and the activation link");
            using var applicantClient = Client(A);
            var token = (await applicantClient.GetAsync(MailLinks.Click(mail, "/activate"))).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
            const string passphrase = "a passphrase kept through the outage";
            (await applicantClient.PostAsync("/activate", new()
            {
                ["token"] = token, ["password"] = passphrase, ["password_confirm"] = passphrase, ["pin"] = "38472916", ["pin_confirm"] = "38472916",
            })).Status.ShouldBe(HttpStatusCode.OK, "activation");
            (await applicantClient.PostAsync("/activate/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(Store, applicant.Mobile) }))
                .Status.ShouldBe(HttpStatusCode.Redirect, "activation code");
            return (saved.Location!.Split('/')[3].Split('?')[0], applicant.Email);
        }

        // With the relay still here: the links the holders will follow during the outage.
        var lostPhone = await HolderAsync(op.Office);
        (await DeskAsync(A, lostPhone.Id, "reset_otp")).Status.ShouldBe(HttpStatusCode.OK);
        var otpReset = MailLinks.Click(await Smtp.WaitForAsync(lostPhone.Email, m => m.Subject == "MySign: register your new OTP phone"), "/otp-reset");
        using var phoneOwner = Client(B);
        var otpToken = (await phoneOwner.GetAsync(otpReset)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        (await phoneOwner.PostAsync("/otp-reset", new() { ["token"] = otpToken, ["mobile"] = "+393398765431" })).Status.ShouldBe(HttpStatusCode.OK);

        await using (var session = Store.LightweightSession())
        {
            var demo = (await session.LoadAsync<HolderAccount>(Demo.HolderUserId))!;
            demo.Office = op.Office;
            demo.Language = "en";
            session.Store(demo);
            await session.SaveChangesAsync();
        }
        (await DeskAsync(B, Demo.HolderUserId, "forgotten_pin")).Status.ShouldBe(HttpStatusCode.OK);
        var newPin = MailLinks.Click(await Smtp.WaitForAsync(Demo.HolderEmail, m => m.Subject == "MySign: choose your new signature PIN"), "/new-pin");
        using var pinOwner = Client(A);
        var pinToken = (await pinOwner.GetAsync(newPin)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        (await pinOwner.PostAsync("/new-pin", new() { ["token"] = pinToken, ["pin"] = "58203916", ["pin_confirm"] = "58203916" })).Status.ShouldBe(HttpStatusCode.OK);

        // The PIN the desk unblocks below: the demo holder's, blocked by five wrong tries (only a blocked PIN is unblocked).
        using (var demoClient = Client(A))
        {
            (await demoClient.LoginAsync(Demo.HolderUserId, Demo.HolderPassword)).Location.ShouldBe("/");
            await Holders.BlockPinAsync(demoClient);
        }

        var forgetful = await HolderAsync();
        using var resetter = Client(A);
        await resetter.GetAsync("/forgot-password");
        await resetter.PostAsync("/forgot-password", new() { ["user_id"] = forgetful.Id });
        var resetLink = MailLinks.Click(await Smtp.WaitForAsync(forgetful.Email, m => m.Subject == "MySign: set a new password"), "/reset-password");
        var resetToken = (await resetter.GetAsync(resetLink)).Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;

        var (signIn, password, mobile, email) = (await HolderAsync(), await HolderAsync(), await HolderAsync(), await HolderAsync());
        using var signInClient = await SignedInAsync(B, signIn);
        using var passwordClient = await SignedInAsync(A, password);
        using var mobileClient = await SignedInAsync(A, mobile);
        using var emailClient = await SignedInAsync(B, email);
        var (lost, asked) = (await HolderAsync(op.Office), await HolderAsync());
        // The desk starts a new PIN only for a certificate in use: an applicant the operator registers, activated from the mail.
        var forgotten = await ActivatedAsync();
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
                return await mobileClient.PostAsync(action, new() { ["code"] = await Holders.LastSmsCodeAsync(Store, newMobile) });
            }, HttpStatusCode.OK, mobile.Email, "MySign: your recovery mobile was changed"),
            new("new password from the reset link on A", () => resetter.PostAsync("/reset-password", new() { ["token"] = resetToken, ["password"] = "a-brand-new-password-9", ["confirm"] = "a-brand-new-password-9" }),
                HttpStatusCode.OK, forgetful.Email, "MySign: your password was changed"),
            new("forgotten password on B", async () =>
            {
                using var visitor = Client(B);
                await visitor.GetAsync("/forgot-password");
                return await visitor.PostAsync("/forgot-password", new() { ["user_id"] = asked.Id });
            }, HttpStatusCode.OK, asked.Email, "MySign: set a new password"),
            new("desk: PIN unblocked on B", () => DeskAsync(B, Demo.HolderUserId, "unblock_pin"), HttpStatusCode.OK, Demo.HolderEmail, "MySign: your signature PIN was unblocked"),
            new("desk: forgotten PIN on A", () => DeskAsync(A, forgotten.Id, "forgotten_pin"), HttpStatusCode.OK, forgotten.Email, "MySign: choose your new signature PIN"),
            new("desk: lost phone on B", () => DeskAsync(B, lost.Id, "reset_otp"), HttpStatusCode.OK, lost.Email, "MySign: register your new OTP phone"),
            new("new OTP phone confirmed on A", async () => await phoneOwner.PostAsync(On(A, "/otp-reset/confirm"),
                new() { ["token"] = otpToken, ["code"] = await Holders.LastSmsCodeAsync(Store, "+393398765431") }), HttpStatusCode.OK, lostPhone.Email, "MySign: your new OTP phone is registered"),
            new("new PIN confirmed on B", async () => await pinOwner.PostAsync(On(B, "/new-pin/confirm"),
                new() { ["token"] = pinToken, ["code"] = await Holders.LastSmsCodeAsync(Store, Demo.HolderMobile) }), HttpStatusCode.OK, Demo.HolderEmail, "MySign: your new certificate and PIN are active"),
        ];

        await Smtp.StopAsync();
        var answers = new List<string>();
        foreach (var row in rows.Where(r => r.Answers != 0))
        {
            var page = await row.Act();
            if (page.Status != row.Answers) answers.Add($"{row.Name}: answered {(int)page.Status}, not {(int)row.Answers}");
        }
        await Smtp.StartAsync();
        answers.ShouldBeEmpty("with the relay away, each action still answers its page");

        var missing = new List<string>();
        foreach (var row in rows)
        {
            try { await Smtp.WaitForAsync(row.To, m => m.Subject == row.Subject, TimeSpan.FromMinutes(4)); }
            catch (TimeoutException) { missing.Add(row.Name); }
        }
        missing.ShouldBeEmpty("each mail arrives once the relay is back");
        await AppClock.MessagesSettledAsync(A.ConnectionString);
        rows.Select(r => (r.Name, Count: Smtp.Messages().Count(m => m.To.ToString().Contains(r.To) && m.Subject == r.Subject)))
            .Where(r => r.Count != 1).Select(r => $"{r.Name}: {r.Count} mails").ShouldBeEmpty("exactly once, across both nodes");
    }
}
