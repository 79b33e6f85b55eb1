using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Accounts;

/// <summary>
/// Security events the holder can read: a sign-in from a new browser or address is mailed, with "this wasn't me"; that
/// link ends every session and CSC token and suspends the certificate; Manage your account lists where the holder is
/// signed in, and each of those sessions can be signed out.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class SecurityEventsTests(AppFixture app)
{
    private const string Chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    [GeneratedRegex(@"http://localhost/not-me\?token=[A-Za-z0-9_-]+")]
    private static partial Regex NotMeLink();

    private PortalClient Browser(string agent = Chrome)
    {
        var client = app.Client();
        client.Http.DefaultRequestHeaders.UserAgent.ParseAdd(agent);
        return client;
    }

    private int MailsTo(TestHolder holder, string subject) =>
        app.Smtp.Messages().Count(m => m.To.ToString().Contains(holder.Email) && (m.Subject ?? "").Contains(subject, StringComparison.Ordinal));

    [Fact]
    public async Task a_new_browser_is_mailed_once_and_this_wasnt_me_ends_sessions_and_tokens_and_suspends_the_certificate()
    {
        var holder = await Holders.CreateAsync(app.Store, "Irene", "Sala");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Irene", "Sala", "SLARNI80A41H501Q", "75319842"));
        using var laptop = Browser();
        await app.Host.ExecuteAndWaitAsync(async () => await laptop.LoginAsync(holder.Id, holder.Password), 30_000);
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: a new sign-in to your account");
        mail.TextBody!.ShouldContain("Chrome, Linux");
        mail.TextBody!.ShouldContain(laptop.Address);
        await app.Host.ExecuteAndWaitAsync(async () => await laptop.LoginAsync(holder.Id, holder.Password), 30_000);
        MailsTo(holder, "a new sign-in").ShouldBe(1, "the same browser and address again is not news");

        // A CSC client signed in too.
        using var csc = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        csc.DefaultRequestHeaders.Add("X-Forwarded-For", "10.7.7.7");
        csc.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        var token = System.Text.Json.JsonDocument.Parse(await (await csc.PostAsync("/csc/v2/auth/login", null)).Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        csc.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await csc.PostAsync("/csc/v2/credentials/list", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Someone else signs in from elsewhere: the holder gets a second mail, and follows its link.
        using var thief = Browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0");
        await app.Host.ExecuteAndWaitAsync(async () => await thief.LoginAsync(holder.Id, holder.Password), 30_000);
        mail = await app.Smtp.WaitForAsync(holder.Email, m => m.TextBody?.Contains("Firefox, Windows") == true);
        var link = NotMeLink().Match(mail.TextBody!).Value;
        using var mailbox = app.Client();
        var ask = await mailbox.GetAsync(link.Replace("http://localhost", ""));
        ask.Status.ShouldBe(HttpStatusCode.OK);
        (await thief.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK, "opening the link changes nothing");
        PortalClient.Page done = null!;
        await app.Host.ExecuteAndWaitAsync(async () => done = await mailbox.PostAsync("/not-me",
            new() { ["token"] = ask.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!, ["suspend"] = "on" }), 30_000);
        done.Document.QuerySelector("#not-me-done")!.TextContent.ShouldContain("suspended");

        (await thief.GetAsync("/")).Location.ShouldStartWith("/login", customMessage: "every session ended");
        (await laptop.GetAsync("/")).Location.ShouldStartWith("/login");
        (await csc.PostAsync("/csc/v2/credentials/list", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<HolderCertificate>(holder.Id))!.Status.ShouldBe(CertificateStatus.Suspended);
        (await mailbox.GetAsync(link.Replace("http://localhost", ""))).Status.ShouldBe(HttpStatusCode.Gone, "the link works once");
    }

    [Fact]
    public async Task manage_your_account_lists_where_the_holder_is_signed_in_and_signs_another_session_out()
    {
        var holder = await Holders.CreateAsync(app.Store, "Paolo", "Riva");
        var other = await Holders.CreateAsync(app.Store, "Ugo", "Riva");
        using var desk = Browser();
        using var phone = Browser("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36");
        using var stranger = Browser();
        await desk.LoginAsync(holder.Id, holder.Password);
        await phone.LoginAsync(holder.Id, holder.Password);
        await stranger.LoginAsync(other.Id, other.Password);

        var page = await desk.GetAsync("/account");
        var rows = page.Document.QuerySelectorAll(".devices li").Select(li => li.TextContent).ToList();
        rows.Count.ShouldBe(2);
        rows[0].ShouldContain("this device");
        rows[1].ShouldContain("Chrome, Android");
        rows[1].ShouldContain(phone.Address);
        var end = page.Document.QuerySelector(".devices form")!.GetAttribute("action")!;

        (await stranger.GetAsync("/account")).Status.ShouldBe(HttpStatusCode.OK);
        (await stranger.PostAsync(end, new())).Status.ShouldBe(HttpStatusCode.NotFound, "someone else's session reads as unknown");
        (await phone.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);
        (await desk.PostAsync(end, new())).Location.ShouldBe("/account#devices-title");
        (await phone.GetAsync("/")).Location.ShouldStartWith("/login");
        (await desk.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);
    }
}
