using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>"I forgot my password" end to end: the e-mail arrives at a real SMTP server, the link works once.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ForgotPasswordBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task a_holder_resets_the_password_from_the_mailed_link_once_and_other_sessions_end()
    {
        var holder = await Holders.CreateAsync(browser.Store, "Paola", "Russo");
        var elsewhere = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(elsewhere, holder.Id, holder.Password);
        await BrowserFixture.ArrivedAtAsync(elsewhere, "/");

        var page = await browser.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByRole(AriaRole.Link, new() { Name = "I forgot my password" }).ClickAsync();
        await page.GetByLabel("Enter your User ID").FillAsync(holder.Id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the link" }).ClickAsync();
        await page.GetByText("If the User ID exists").WaitForAsync();

        var mail = await browser.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: set a new password");
        var link = Regex.Match(mail.TextBody!, @"http://127\.0\.0\.1:\d+/reset-password\?token=[A-Za-z0-9_-]+").Value;
        link.ShouldStartWith(browser.App.BaseAddress.ToString().TrimEnd('/'));
        await page.GotoAsync(link);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("paola's new passphrase");
        await page.GetByLabel("Confirm the new password").FillAsync("paola's new passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the new password" }).ClickAsync();
        await page.GetByText("Your password was changed.").WaitForAsync();

        await page.GotoAsync(link);
        (await page.Locator("[role=alert]").TextContentAsync())!.ShouldContain("no longer valid");

        await elsewhere.ReloadAsync();
        new Uri(elsewhere.Url).AbsolutePath.ShouldBe("/login", "the other session ended");

        await BrowserFixture.SignInAsync(page, holder.Id, holder.Password);
        (await page.Locator("#login-error").TextContentAsync())!.ShouldContain("not correct");
        await BrowserFixture.SignInAsync(page, holder.Id, "paola's new passphrase");
        await BrowserFixture.ArrivedAtAsync(page, "/");
        (await page.Locator("h1.holder-name").TextContentAsync()).ShouldBe("Paola Russo");
    }
}
