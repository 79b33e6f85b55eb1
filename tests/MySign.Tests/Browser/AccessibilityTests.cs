using System.Text.Json;
using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>
/// axe-core (npm, WCAG 2.1 A/AA rules) on every page a holder, a visitor and a RAO operator reach, in both
/// languages: no serious or critical violation.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser)
{
    private static readonly Lazy<string> Axe = new(() => File.ReadAllText(
        Environment.GetEnvironmentVariable("MYSIGN_AXE") is { Length: > 0 } path ? path : Path.Combine(AppProcess.RepositoryRoot(), ".local", "axe", "axe.min.js")));

    internal static async Task<IEnumerable<string>> Violations(IPage page)
    {
        await page.EvaluateAsync(Axe.Value);
        var found = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'], resultTypes: ['violations'] }))
              .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(' | '))
            """);
        return found.EnumerateArray().Select(v => $"{new Uri(page.Url).PathAndQuery}: {v.GetString()}");
    }

    /// <summary>English on a desktop, Italian on a phone (390 px, where wide tables scroll inside their box).</summary>
    [Theory]
    [InlineData("en-GB", 1280)]
    [InlineData("it-IT", 390)]
    public async Task no_page_has_a_serious_or_critical_accessibility_violation(string locale, int width)
    {
        // axe is injected by the test (CSP would rightly refuse it from the page), so this context bypasses CSP.
        var context = await browser.Browser.NewContextAsync(new()
        {
            BaseURL = browser.App.BaseAddress.ToString(), Locale = locale, BypassCSP = true, ViewportSize = new() { Width = width, Height = 844 },
        });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        async Task Check(params string[] paths)
        {
            foreach (var path in paths)
            {
                await page.GotoAsync(path);
                problems.AddRange(await Violations(page));
            }
        }

        await Check("/login", "/how-to-activate", "/forgot-password", "/rao/login", "/trusty", "/emergency", "/not-me?token=expired", "/otp-reset?token=expired", "/new-pin?token=expired");

        var holder = await Holders.CreateAsync(browser.Store, "Livia", "Conte");
        // A history long enough, and names wide enough, that its table scrolls inside its box on a phone: signatures as the
        // signing modules report them, recorded by History's own handler.
        for (var i = 0; i < 3; i++)
            await MySign.History.Recording.SignatureMadeHandler.Handle(new MySign.History.Contracts.SignatureMade(Guid.NewGuid(), holder.Id, Guid.NewGuid(),
                DateTimeOffset.UtcNow.AddMinutes(-i), $"Contratto_di_locazione_registrato_{i}_firmato.pdf", "SHA-256", true, MySign.History.Contracts.SignatureChannel.Portal),
                browser.Store, TimeProvider.System, CancellationToken.None);
        await BrowserFixture.SignInHolderAsync(page, holder.Id, holder.Password);
        await Check("/", "/account", "/pin", "/certificate", "/history", "/renewal", "/otp/phone", "/sign");

        await browser.SignInDemoRaoAsync(page);
        await Check("/rao", "/rao/holders/new", "/rao/coupons", $"/rao/holders/{Dev.Demo.HolderUserId}");
        // A form sent back with mistakes: errors next to their fields must be accessible too.
        await page.GotoAsync("/rao/holders/new");
        await page.Locator("form[action='/rao/holders'] button[type=submit]").ClickAsync();
        await page.Locator("#register-summary").WaitForAsync();
        problems.AddRange(await Violations(page));

        await context.CloseAsync();
        problems.ShouldBeEmpty(string.Join("\n", problems));
    }

    [Theory]
    [InlineData("en-GB")]
    [InlineData("it-IT")]
    public async Task the_renewal_steps_and_the_store_have_no_serious_or_critical_violation(string locale)
    {
        var holder = await browser.ActivatedHolderAsync("Ilaria", "F");
        await browser.DueInAMonthAsync(holder.UserId);
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = locale, BypassCSP = true });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        async Task Here() => problems.AddRange(await Violations(page));
        async Task Submit(string form) => await page.Locator($"form[action$='{form}'] button[type=submit]").First.ClickAsync();

        await page.GotoAsync("/login");
        await page.Locator("#user_id").FillAsync(holder.UserId);
        await page.Locator("#password").FillAsync(holder.Password);
        await Submit("/login");
        await BrowserFixture.ArrivedAtAsync(page, "/");
        await page.GotoAsync("/renewal");
        await Here();
        await page.Locator("button[name=path][value=store]").ClickAsync();
        await page.Locator("#pin").WaitForAsync();
        await Submit("/consents"); // nothing ticked: the errors beside the boxes
        await page.Locator("#conditions-error").WaitForAsync();
        await Here();
        await page.Locator("#conditions").CheckAsync();
        await page.Locator("#data_valid").CheckAsync();
        await page.Locator("#pin").FillAsync(holder.Pin);
        await Submit("/consents");
        await page.Locator("#code").WaitForAsync();
        await Here();
        await page.Locator("#code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await Submit("/confirm");
        await page.Locator("form[action$='/store']").WaitForAsync();
        await Here();
        await Submit("/store");
        await page.Locator("#cart-total").WaitForAsync();
        await Here();
        await page.Locator("#new-name").FillAsync("Ilaria " + holder.Applicant.LastName);
        await page.Locator("#new-email").FillAsync($"a11y-{locale}-" + holder.Applicant.Email);
        await page.Locator("#new-password").FillAsync("ilaria-store-pass");
        await page.Locator("form[action$='/account']").Nth(1).Locator("button[type=submit]").ClickAsync();
        await page.Locator("#store-notice").WaitForAsync();
        await Here();
        await browser.ConfirmStoreAccountAsync(page, $"a11y-{locale}-" + holder.Applicant.Email);
        await page.Locator("#billing_name").WaitForAsync();
        await Submit("/pay"); // empty billing information: the errors
        await page.Locator("#confirm-error").WaitForAsync();
        await Here();
        await page.Locator("#billing_name").FillAsync("Ilaria " + holder.Applicant.LastName);
        await page.Locator("#fiscal_code").FillAsync(holder.Applicant.FiscalCode);
        await page.Locator("#address").FillAsync("Via Appia 10, 00179 Roma");
        await page.Locator("#confirm").CheckAsync();
        await page.Locator("input[name=method][value=card]").CheckAsync();
        await Submit("/pay");
        await page.Locator("button[name=decision][value=approve]").WaitForAsync();
        await Here();
        await page.Locator("button[name=decision][value=approve]").ClickAsync();
        await page.Locator("a[href$='/invoice.pdf']").WaitForAsync();
        await Here();
        await page.Locator("a.button.primary[href^='/renewal/']").ClickAsync();
        await page.Locator("#new_pin").WaitForAsync();
        await Here();
        await page.Locator("#new_pin").FillAsync("49281736");
        await page.Locator("#confirm_pin").FillAsync("49281736");
        await Submit("/pin");
        await page.Locator("li[aria-current=step]", new() { HasText = "5." }).WaitForAsync();
        await Here();
        await page.Locator("#code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await Submit("/activate");
        await page.Locator(".renewal-wizard [role=status]").WaitForAsync();
        await Here();

        await context.CloseAsync();
        problems.ShouldBeEmpty(string.Join("\n", problems));
    }
}
