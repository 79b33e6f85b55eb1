using MySign.Dev;
using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>A person in Chromium: sign in, see the boxes, let htmx swap one, get out.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HolderBrowserTests(BrowserFixture browser)
{
    private static readonly string[] Boxes =
        ["Signature certificate", "OTP codes", "Signature history", "Signature PIN", "Renew digital signature", "Suspension and revocation"];

    [Fact]
    public async Task the_demo_holder_signs_in_sees_six_boxes_gets_out_and_is_sent_back_to_login()
    {
        var page = await browser.NewPageAsync();
        var consoleErrors = new List<string>();
        // The refused sign-in answers 422 by design; Chromium reports that status itself, not a fault.
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.Contains("status of 422")) consoleErrors.Add(message.Text); };

        await page.GotoAsync("/");
        page.Url.ShouldEndWith("/login");

        // Wrong password first: a clear message, the User ID kept.
        await page.GetByLabel("Enter your User ID").FillAsync(Demo.HolderUserId);
        await page.GetByLabel("Enter your password").FillAsync("certainly-wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "SIGN IN", Exact = true }).ClickAsync();
        (await page.Locator("#login-error").TextContentAsync())!.ShouldContain("not correct");
        (await page.GetByLabel("Enter your User ID").InputValueAsync()).ShouldBe(Demo.HolderUserId);

        await page.GetByLabel("Enter your password").FillAsync(Demo.HolderPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "SIGN IN", Exact = true }).ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/");
        (await page.Locator(".boxes h2").AllTextContentsAsync()).ShouldBe(Boxes);
        (await page.Locator("h1.holder-name").TextContentAsync()).ShouldBe("Mario Rossi");

        // htmx is live: a refresh event makes each box fetch its own partial from its module and swap it in.
        var swapped = page.WaitForResponseAsync(r => r.Url.EndsWith("/portal/boxes/certificate") && r.Status == 200);
        await page.EvaluateAsync("document.body.dispatchEvent(new Event('mysign:refresh'))");
        await swapped;
        await page.Locator("#box-certificate").WaitForAsync();
        (await page.Locator(".boxes h2").AllTextContentsAsync()).ShouldBe(Boxes);

        // The holder's name opens the menu with "Manage your account" and "Get Out".
        await page.Locator("summary.user-name").ClickAsync();
        (await page.GetByRole(AriaRole.Link, new() { Name = "Manage your account" }).IsVisibleAsync()).ShouldBeTrue();
        await page.GetByRole(AriaRole.Button, new() { Name = "Get Out" }).ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/login");
        (await page.Locator("[role=status]").TextContentAsync())!.ShouldContain("You have signed out.");

        await page.GotoAsync("/");
        page.Url.ShouldEndWith("/login");
        consoleErrors.ShouldBeEmpty("no CSP violation or script error in the console");
    }

    [Fact]
    public async Task the_portal_works_without_javascript()
    {
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, Demo.HolderUserId, Demo.HolderPassword);
        await BrowserFixture.ArrivedAtAsync(page, "/");
        (await page.Locator(".boxes h2").AllTextContentsAsync()).ShouldBe(Boxes);
        await page.GetByRole(AriaRole.Button, new() { Name = "IT" }).ClickAsync();
        await page.Locator("html[lang=it]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        (await page.Locator(".boxes h2").First.TextContentAsync()).ShouldBe("Certificato di firma");
        await context.CloseAsync();
    }
}
