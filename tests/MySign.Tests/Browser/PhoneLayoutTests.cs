using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using MySign.Dev;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;

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

    /// <summary>
    /// Identifiers and addresses wrap at sensible points, never one character per line: every fact and code longer than
    /// a few characters keeps at least four characters on each of its lines.
    /// </summary>
    internal static async Task<IEnumerable<string>> Crumbled(IPage page, string label)
    {
        var found = await page.EvaluateAsync<JsonElement>("""
            () => {
              const problems = [];
              for (const el of document.querySelectorAll('.facts dd, code, .consent-documents code')) {
                const text = el.textContent.trim();
                const line = parseFloat(getComputedStyle(el).lineHeight) || 20;
                const lines = Math.round(el.getBoundingClientRect().height / line);
                if (text.length > 8 && lines > 1 && text.length / lines < 4) problems.push(text.slice(0, 30) + ' is ' + lines + ' lines');
              }
              return problems.slice(0, 8);
            }
            """);
        return found.EnumerateArray().Select(p => $"{label} {new Uri(page.Url).PathAndQuery}: {p.GetString()}");
    }

    /// <summary>
    /// The demo holder after client software signed a batch through the CSC API (the history then holds "SHA-256 32fb…"
    /// rows): the holder's pages fit 390 and 1280 px in both languages, identifiers wrap sensibly, and on a phone the
    /// history tables, which scroll inside their box, say so.
    /// </summary>
    [Theory]
    [InlineData("en-GB")]
    [InlineData("it-IT")]
    public async Task the_demo_holders_pages_fit_a_phone_and_a_desktop_after_a_csc_batch(string locale)
    {
        await (Batch ??= SignBatchAsDemoHolderAsync()); // once for both languages (a second OTP within 30 s would wait for the SMS gap)
        var problems = new List<string>();
        foreach (var width in new[] { 390, 1280 })
        {
            var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = locale, ViewportSize = new() { Width = width, Height = 900 } });
            var page = await context.NewPageAsync();
            await BrowserFixture.SignInHolderAsync(page, Demo.HolderUserId, Demo.HolderPassword);
            foreach (var path in new[] { "/", "/history", "/certificate", "/account", "/sign", "/pin", "/otp/phone" })
            {
                await page.GotoAsync(path);
                problems.AddRange(await Overflows(page, $"{locale} {width}px"));
                problems.AddRange(await Crumbled(page, $"{locale} {width}px"));
                if (path is "/" or "/history")
                {
                    (await page.Locator("table").First.InnerTextAsync()).ShouldContain("SHA-256 ", customMessage: "the CSC batch is in the history");
                    var scrolls = await page.EvaluateAsync<bool>("() => { const t = document.querySelector('table'); return t.scrollWidth > t.clientWidth + 1; }");
                    if (width == 390 && scrolls && !await page.Locator(".scroll-hint").First.IsVisibleAsync())
                        problems.Add($"{locale} {width}px {path}: the history scrolls sideways inside its box with nothing saying so");
                }
            }
            await context.CloseAsync();
        }
        problems.ShouldBeEmpty(string.Join("\n", problems.Distinct()));
    }

    private static Task? Batch;

    /// <summary>Client software signs ten hashes for the demo holder through the CSC API (explicit authorisation: PIN + the SMS OTP).</summary>
    private async Task SignBatchAsDemoHolderAsync()
    {
        string phone;
        await using (var session = browser.Store.LightweightSession())
        {
            // Other stories may have left the demo holder on an app: the batch is confirmed by SMS, as the demo starts.
            var settings = (await session.LoadAsync<OtpSettings>(Demo.HolderUserId))!;
            (settings.Mode, settings.TotpSecret, settings.TokenSerial) = (ReceptionMode.Sms, null, null);
            session.Store(settings);
            await session.SaveChangesAsync();
            phone = settings.PhoneNumber;
        }
        using var http = new HttpClient { BaseAddress = new Uri(browser.App.BaseAddress, "/csc/v2/") };
        async Task<JsonElement> Call(string method, object body)
        {
            var answer = await http.PostAsync(method, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
            var text = await answer.Content.ReadAsStringAsync();
            answer.IsSuccessStatusCode.ShouldBeTrue($"{method}: {text}");
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Demo.HolderUserId}:{Demo.HolderPassword}")));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await Call("auth/login", new { })).GetProperty("access_token").GetString());
        var credential = (await Call("credentials/list", new { })).GetProperty("credentialIDs")[0].GetString();
        var hashes = Enumerable.Range(0, 10).Select(i => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"batch {Guid.NewGuid()} {i}")))).ToArray();
        await Call("credentials/sendOTP", new { credentialID = credential });
        var sad = (await Call("credentials/authorize", new
        {
            credentialID = credential, numSignatures = hashes.Length, hashes,
            authData = new object[] { new { id = "PIN", value = Demo.HolderPin }, new { id = "OTP", value = await Holders.LastSmsCodeAsync(browser.Store, phone) } },
        })).GetProperty("SAD").GetString();
        await Call("signatures/signHash", new { credentialID = credential, SAD = sad, hashes, signAlgo = "1.2.840.10045.4.3.2" });
        await browser.MessagesSettledAsync();
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
        // A mail's landing page with a link still valid (the expired ones are walked below): the holder asked to reset the password.
        var reset = await browser.NewPageAsync(locale);
        await reset.GotoAsync("/forgot-password");
        await reset.Locator("#user_id").FillAsync(holder.UserId);
        await reset.Locator("form[action='/forgot-password'] button[type=submit]").ClickAsync();
        var resetMail = await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => (m.TextBody ?? "").Contains("/reset-password?token="));
        var resetPath = new Uri(System.Text.RegularExpressions.Regex.Match(resetMail.TextBody!, @"https?://\S+/reset-password\?token=[A-Za-z0-9_-]+").Value).PathAndQuery;
        await reset.Context.CloseAsync();
        // And the RAO desk's mails, after an identity check: the forgotten PIN's link to a new PIN, and the PIN unblock's
        // "this wasn't me" (the pages are opened, never submitted).
        using (var portal = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, browser.App.BaseAddress))
        {
            (await portal.LoginAsync(holder.UserId, holder.Password)).Location.ShouldBe("/");
            await Holders.BlockPinAsync(portal); // the desk unblocks only a blocked PIN
        }
        using (var rao = await browser.SignedInDemoRaoClientAsync())
        {
            await rao.GetAsync($"/rao/holders/{holder.UserId}");
            foreach (var action in new[] { "forgotten_pin", "unblock_pin" })
                (await rao.PostAsync($"/rao/holders/{holder.UserId}/desk/{action.Replace('_', '-')}", new()
                {
                    ["doc_type"] = "identity_card", ["doc_number"] = "CA98765ZZ", ["doc_expiry"] = DateTime.UtcNow.AddYears(4).ToString("dd/MM/yyyy"),
                })).Status.ShouldBe(HttpStatusCode.Redirect, action);
        }
        async Task<string> Landing(string page)
        {
            var mail = await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => (m.TextBody ?? "").Contains($"/{page}?token="));
            return new Uri(System.Text.RegularExpressions.Regex.Match(mail.TextBody!, $@"https?://\S+/{page}\?token=[A-Za-z0-9_-]+").Value).PathAndQuery;
        }
        var newPinPath = await Landing("new-pin");
        var notMePath = await Landing("not-me");
        // The first page a new holder opens (registered, the mailed link not yet followed), and a lost phone's reset link
        // (for another holder: the reset takes the walked holder's OTP phone away).
        var (_, _, activationPath) = await browser.RegisteredHolderAsync("Nadia", "F");
        var lostPhone = await browser.ActivatedHolderAsync("Bruno", "M");
        using (var rao = await browser.SignedInDemoRaoClientAsync())
        {
            await rao.GetAsync($"/rao/holders/{lostPhone.UserId}");
            (await rao.PostAsync($"/rao/holders/{lostPhone.UserId}/desk/reset-otp", new()
            {
                ["doc_type"] = "identity_card", ["doc_number"] = "CA12345ZZ", ["doc_expiry"] = DateTime.UtcNow.AddYears(4).ToString("dd/MM/yyyy"),
            })).Status.ShouldBe(HttpStatusCode.Redirect, "reset_otp");
        }
        var otpResetMail = await browser.Smtp.WaitForAsync(lostPhone.Applicant.Email, m => (m.TextBody ?? "").Contains("/otp-reset?token="));
        var otpResetPath = new Uri(System.Text.RegularExpressions.Regex.Match(otpResetMail.TextBody!, @"https?://\S+/otp-reset\?token=[A-Za-z0-9_-]+").Value).PathAndQuery;
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
            await Check("/login", "/how-to-activate", "/forgot-password", "/forgot-user-id", "/rao/login", "/pds/en", "/pds/it", "/emergency", "/not-me?token=expired",
                "/otp-reset?token=expired", "/new-pin?token=expired", resetPath, newPinPath, notMePath, activationPath, otpResetPath, "/dev/outbox");
            if (width == 390)
                foreach (var live in new[] { resetPath, newPinPath, notMePath, activationPath, otpResetPath })
                {
                    // Walked above as the mail's reader finds it: the page's form, not "this link is no longer valid".
                    await page.GotoAsync(live);
                    if (await page.Locator("form input[name=token]").CountAsync() == 0) problems.Add($"{locale} {new Uri(page.Url).AbsolutePath}: the mailed link shows no form");
                }

            await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
            await Check("/", "/account", "/pin", "/certificate", "/history", "/otp/phone", "/sign", "/renewal/conditions", "/renewal/new-certificate", "/store/orders", "/renewal");
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
            await Check("/rao", "/rao/holders/new", "/rao/coupons", $"/rao/holders/{Demo.HolderUserId}");
            await context.CloseAsync();
        }
        problems.ShouldBeEmpty(string.Join("\n", problems.Distinct()));
    }
}
