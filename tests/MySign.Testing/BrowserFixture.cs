using Microsoft.Playwright;
using Xunit;

namespace MySign.Testing;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (never a downloaded browser), against the app running
/// as its own process on a random port, with a real SMTP server beside it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string BankImportToken = "browser-bank-import-token";
    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = null!;
    public AppProcess App { get; } = new();
    public SmtpServer Smtp { get; } = new();
    /// <summary>The running app's database, mapped as the app maps it: for test data and the sandbox SMS.</summary>
    public Marten.IDocumentStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Smtp.StartAsync();
        // Every browser context comes from 127.0.0.1, like many people behind one NAT: the per-address sign-in
        // limit is raised here (the limits themselves are tested over HTTP with one address per client).
        await App.StartAsync(Smtp, new Dictionary<string, string>
        {
            ["Billing__Payments__BankImportToken"] = BankImportToken, ["RateLimits__LoginPerMinute"] = "500",
        });
        Store = AppStore.For(App.ConnectionString);
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
        await page.GetByRole(AriaRole.Button, new() { Name = "SIGN IN" }).ClickAsync();
    }

    /// <summary>
    /// Waits until the page has navigated to <paramref name="path"/> and its document is parsed.
    /// Waiting for the URL commit and then polling the document, not for the "load" event: Playwright can miss a
    /// "load" that fired while the redirect's navigation was being reported, and then waits forever.
    /// </summary>
    public static async Task ArrivedAtAsync(IPage page, string path)
    {
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path, new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForFunctionAsync("document.readyState !== 'loading'");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (Store is not null) Store.Dispose();
        _playwright?.Dispose();
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

