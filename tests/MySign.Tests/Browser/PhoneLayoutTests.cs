using System.Text.Json;
using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>
/// A phone is a first-class screen: at 390 px (and at 1280 px) no page scrolls sideways and no element sticks out of
/// the viewport, in both languages: visitor, holder, RAO, renewal wizard and store pages. Screenshots of each page at
/// both widths are written under TestResults/screens for a person to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PhoneLayoutTests(BrowserFixture browser)
{
    private static readonly string Screens = Path.Combine(AppProcess.RepositoryRoot(), "TestResults", "screens");

    /// <summary>What sticks out: the page's own width, and every element whose box ends past the viewport (outside a scroller).</summary>
    internal static async Task<IEnumerable<string>> Overflows(IPage page, string label)
    {
        var found = await page.EvaluateAsync<JsonElement>("""
            () => {
              const width = window.innerWidth, problems = [];
              if (document.documentElement.scrollWidth > width) problems.push('page is ' + document.documentElement.scrollWidth + 'px wide');
              const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; } return false; };
              for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0 || getComputedStyle(el).position === 'fixed') continue;
                if (r.right > width + 1 && !scrolls(el)) {
                  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
                  problems.push(name + ' ends at ' + Math.round(r.right) + 'px');
                }
              }
              return problems.slice(0, 8);
            }
            """);
        return found.EnumerateArray().Select(p => $"{label} {new Uri(page.Url).PathAndQuery}: {p.GetString()}");
    }

    [Theory]
    [InlineData("en-GB")]
    [InlineData("it-IT")]
    public async Task no_page_scrolls_sideways_on_a_phone_or_a_desktop(string locale)
    {
        var holder = await browser.ActivatedHolderAsync("Marta", "F");
        await browser.DueInAMonthAsync(holder.UserId);
        Directory.CreateDirectory(Screens);
        var problems = new List<string>();
        foreach (var width in new[] { 390, 1280 })
        {
            var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = locale, ViewportSize = new() { Width = width, Height = 844 } });
            var page = await context.NewPageAsync();
            async Task Check(params string[] paths)
            {
                foreach (var path in paths)
                {
                    if (path.Length > 0) await page.GotoAsync(path);
                    problems.AddRange(await Overflows(page, $"{locale} {width}px"));
                    var name = new Uri(page.Url).AbsolutePath.Trim('/').Replace('/', '-');
                    await page.ScreenshotAsync(new() { Path = Path.Combine(Screens, $"{locale}-{width}-{(name.Length == 0 ? "home" : name)}.png"), FullPage = true });
                }
            }
            await Check("/login", "/forgot-password", "/forgot-user-id", "/rao/login", "/pds/en", "/pds/it", "/emergency", "/not-me?token=expired",
                "/otp-reset?token=expired", "/new-pin?token=expired");

            await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
            await Check("/", "/account", "/pin", "/certificate", "/history", "/otp/phone", "/sign", "/renewal/conditions", "/renewal/new-certificate", "/renewal");
            if (width == 390)
            {
                // The wizard and the store, as far as the cart.
                await page.Locator("button[name=path][value=store]").ClickAsync();
                await page.Locator("#pin").WaitForAsync();
                await Check("");
                await page.Locator("#conditions").CheckAsync();
                await page.Locator("#data_valid").CheckAsync();
                await page.Locator("#pin").FillAsync(holder.Pin);
                await page.Locator("form[action$='/consents'] button[type=submit]").ClickAsync();
                await page.Locator("#code").WaitForAsync();
                await Check("");
                await page.Locator("#code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
                await page.Locator("form[action$='/confirm'] button[type=submit]").ClickAsync();
                await page.Locator("form[action$='/store']").WaitForAsync();
                await page.Locator("form[action$='/store'] button[type=submit]").ClickAsync();
                await page.Locator("#cart-total").WaitForAsync();
                await Check("");
                // The total is seen as the page opens, not behind a sideways scroll inside the cart.
                var total = (await page.Locator("#cart-total").BoundingBoxAsync())!;
                var viewport = (await page.EvaluateAsync<int>("() => innerWidth"));
                if (total.X + total.Width > viewport) problems.Add($"{locale} {viewport}px: the cart total is outside the screen ({total.X + total.Width:0}px)");
            }
            await page.GotoAsync("/");
            await page.Locator("summary.user-name").ClickAsync();
            await Check(""); // the open menu fits too
            await page.Locator("form[action='/logout'] button[type=submit]").First.ClickAsync();

            await browser.SignInDemoRaoAsync(page);
            await Check("/rao", "/rao/holders/new", "/rao/coupons");
            await context.CloseAsync();
        }
        problems.ShouldBeEmpty(string.Join("\n", problems.Distinct()));
    }
}
