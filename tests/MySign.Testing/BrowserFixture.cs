using MySign.Dev;
using Microsoft.Playwright;
using Xunit;

namespace MySign.Testing;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (never a downloaded browser), against the app running
/// as its own process on a random port, with a real SMTP server beside it.
/// </summary>
public sealed record ActivatedHolder(string UserId, string Password, string Pin, Applicant Applicant);

public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string BankImportToken = "browser-bank-import-token";
    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>
    /// A page on http://localhost:port (a passkey needs a host name, not an address) with a virtual platform authenticator
    /// whose user verification passes, as a laptop's fingerprint reader would.
    /// </summary>
    public async Task<IPage> LocalhostPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = $"http://localhost:{App.BaseAddress.Port}/", Locale = "en-GB",
        });
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2", ["transport"] = "internal", ["hasResidentKey"] = true, ["hasUserVerification"] = true,
                ["isUserVerified"] = true, ["automaticPresenceSimulation"] = true,
            },
        });
        return page;
    }
    public AppProcess App { get; } = new();
    public SmtpServer Smtp { get; } = new();
    /// <summary>The running app's database, mapped as the app maps it: for test data and the sandbox SMS.</summary>
    public Marten.IDocumentStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Smtp.StartAsync();
        // Every browser context comes from 127.0.0.1, like many people behind one NAT: the per-address sign-in,
        // recovery (reset links, new PIN, lost phone, "this wasn't me") and assistant limits are raised here, or stories
        // that follow one another within a minute are refused with a 429 page. The limits themselves are tested over
        // HTTP with one address per client.
        await App.StartAsync(Smtp, new Dictionary<string, string>
        {
            ["Billing__Payments__BankImportToken"] = BankImportToken, ["RateLimits__LoginPerWindow"] = "500",
            ["RateLimits__RecoveryPerWindow"] = "500", ["RateLimits__AssistantPerWindow"] = "500",
            // As `make run` starts it: no public address configured, so links and payment returns use the port it listens on.
            ["Portal__BaseUrl"] = "",
        });
        Store = AppStore.For(App.ConnectionString);
        // Promotional codes are an operator's business: made with the command, as the TSP would.
        var (exit, output) = await App.RunAsync("promo-add", "WELCOME10", "--percent", "10", "--until", DateTime.UtcNow.AddYears(1).ToString("yyyy-MM-dd"));
        if (exit != 0) throw new InvalidOperationException("promo-add failed: " + output);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>A fresh browser profile (no cookies) whose relative URLs go to the app.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-GB")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseAddress.ToString(), Locale = locale });
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the login form as a person would (it does not wait for the result).</summary>
    public static async Task SignInAsync(IPage page, string userId, string password)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("Enter your User ID").FillAsync(userId);
        await page.GetByLabel("Enter your password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "SIGN IN", Exact = true }).ClickAsync();
    }

    /// <summary>Signs a holder in by the fields' ids (so in either language) and waits for the home page.</summary>
    public static async Task SignInHolderAsync(IPage page, string userId, string password)
    {
        await page.GotoAsync("/login");
        await page.Locator("#user_id").FillAsync(userId);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("form[action='/login'] button[type=submit]").ClickAsync();
        await ArrivedAtAsync(page, "/");
    }

    /// <summary>Signs the demo RAO operator in (password, then the SMS code) and waits for the console.</summary>
    public async Task SignInDemoRaoAsync(IPage page)
    {
        await page.GotoAsync("/rao/login");
        await page.Locator("#username").FillAsync(Demo.RaoUsername);
        await page.Locator("#password").FillAsync(Demo.RaoPassword);
        await page.Locator("form[action='/rao/login'] button[type=submit]").ClickAsync();
        await page.Locator("#code").WaitForAsync();
        await page.Locator("#code").FillAsync(await Holders.LastSmsCodeAsync(Store, Demo.RaoMobile));
        await page.Locator("form[action='/rao/login/otp'] button[type=submit]").ClickAsync();
        await ArrivedAtAsync(page, "/rao");
    }

    /// <summary>
    /// Waits until htmx has finished the last request, swap and settle. Type into swapped-in content only after this: the
    /// browser may focus an autofocus field as soon as it is inserted, and htmx focuses it again when it settles (20 ms
    /// later, much later on a loaded machine), so keys typed in between would end up in that field.
    /// </summary>
    public static Task SettledAsync(IPage page) =>
        page.WaitForFunctionAsync("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')",
            null, new() { PollingInterval = 100 });

    /// <summary>
    /// Waits until the page shows <paramref name="path"/> with its document parsed, by polling the URL and the
    /// document itself. Not WaitForURLAsync: when the URL already matches it waits for a "load" event that
    /// Playwright may have missed while the redirect was being reported, and then hangs for its whole timeout.
    /// </summary>
    public static async Task ArrivedAtAsync(IPage page, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (new Uri(page.Url).AbsolutePath == path)
            {
                try
                {
                    if (await page.EvaluateAsync<bool>("() => document.readyState !== 'loading'")) return;
                }
                catch (PlaywrightException)
                {
                    // The document was being replaced (navigation in progress): look again.
                }
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The page never arrived at {path}; it is at {page.Url}.");
            await Task.Delay(50);
        }
    }

    /// <summary>A holder with a certificate, made the real way over HTTP: RAO registration by the demo operator, then activation.</summary>
    /// <summary>The demo RAO operator signed in over HTTP (password, then the SMS code), for the desk's steps a story needs done.</summary>
    public async Task<PortalClient> SignedInDemoRaoClientAsync()
    {
        var rao = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, App.BaseAddress);
        await rao.GetAsync("/rao/login");
        var otp = await rao.PostAsync("/rao/login", new() { ["username"] = Demo.RaoUsername, ["password"] = Demo.RaoPassword });
        var pending = otp.Document.QuerySelector("input[name=pending]")!.GetAttribute("value")!;
        await rao.PostAsync("/rao/login/otp", new() { ["pending"] = pending, ["code"] = await Holders.LastSmsCodeAsync(Store, Demo.RaoMobile) });
        return rao;
    }

    /// <summary>A holder the demo operator has registered, not yet activated: the User ID, the applicant and the mailed activation link's path.</summary>
    public async Task<(string UserId, Applicant Applicant, string ActivationPath)> RegisteredHolderAsync(string firstName = "Tommaso", string sex = "M")
    {
        using var rao = await SignedInDemoRaoClientAsync();
        await rao.GetAsync("/rao/holders/new");
        var applicant = Applicant.New(firstName, sex);
        var saved = await rao.PostAsync("/rao/holders", applicant.Form());
        var userId = saved.Location!.Split('/')[3].Split('?')[0];
        var mail = await Smtp.WaitForAsync(applicant.Email, m => m.Subject == "MySign: your User ID and the activation link");
        return (userId, applicant, System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"/activate\?token=[A-Za-z0-9_-]+").Value);
    }

    public async Task<ActivatedHolder> ActivatedHolderAsync(string firstName = "Tommaso", string sex = "M")
    {
        var (userId, applicant, activation) = await RegisteredHolderAsync(firstName, sex);
        using var holder = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, App.BaseAddress);
        var form = await holder.GetAsync(activation);
        var token = form.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        const string password = "a keyboard-friendly passphrase", pin = "38472916";
        await holder.PostAsync("/activate", new() { ["token"] = token, ["password"] = password, ["password_confirm"] = password, ["pin"] = pin, ["pin_confirm"] = pin });
        await holder.PostAsync("/activate/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(Store, applicant.Mobile) });
        return new ActivatedHolder(userId, password, pin, applicant);
    }

    /// <summary>Follows the link of the store-account confirmation mail in the page, as the person would from their mailbox.</summary>
    public async Task ConfirmStoreAccountAsync(IPage page, string email)
    {
        var mail = await Smtp.WaitForAsync(email, m => StoreAccounts.ConfirmLink().IsMatch(m.TextBody ?? ""));
        await page.GotoAsync(StoreAccounts.ConfirmLink().Match(mail.TextBody!).Value);
    }

    /// <summary>See <see cref="AppClock.DueInAMonthAsync"/>.</summary>
    public Task DueInAMonthAsync(string holderId) => AppClock.DueInAMonthAsync(Store, App.ConnectionString, holderId);

    public Task MessagesSettledAsync() => AppClock.MessagesSettledAsync(App.ConnectionString);

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (Store is not null) Store.Dispose();
        _playwright?.Dispose();
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

