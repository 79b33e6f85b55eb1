using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>
/// At the RAO desk in Chromium: a holder lost the OTP phone; the operator checks the identity document and resets the
/// factor; the holder follows the recovery e-mail's link, registers a new phone with the code sent to it, and the next
/// OTP goes there, not to the old one. Both pages pass axe, in the operator's and the holder's browser.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class RaoDeskBrowserTests(BrowserFixture browser)
{
    [GeneratedRegex(@"/otp-reset\?token=[A-Za-z0-9_-]+")]
    private static partial Regex ResetLink();

    [Fact]
    public async Task the_operator_resets_a_lost_phone_and_the_holder_registers_the_new_one_from_the_mail()
    {
        var holder = await browser.ActivatedHolderAsync("Marina", "F");
        var problems = new List<string>();
        // axe is injected by the test, so these contexts bypass CSP (the pages' own CSP is tested elsewhere).
        var desk = await (await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = "en-GB", BypassCSP = true })).NewPageAsync();
        await browser.SignInDemoRaoAsync(desk);
        await desk.GotoAsync($"/rao/holders/{holder.UserId}");
        problems.AddRange(await AccessibilityTests.Violations(desk));

        // A typo first: the expiry is in the past; the error is beside the field, the rest is kept.
        await desk.GetByLabel("Document type").SelectOptionAsync("identity_card");
        await desk.GetByLabel("Document number").FillAsync("CA98765ZZ");
        await desk.GetByLabel("Expiry date").FillAsync("01/01/2021");
        await desk.GetByLabel("A new OTP phone", new() { Exact = false }).CheckAsync();
        await desk.GetByRole(AriaRole.Button, new() { Name = "Record the check and proceed" }).ClickAsync();
        await desk.Locator("#desk-doc-expiry-error").WaitForAsync();
        (await desk.GetByLabel("Document number").InputValueAsync()).ShouldBe("CA98765ZZ");
        problems.AddRange(await AccessibilityTests.Violations(desk));
        await desk.GetByLabel("Expiry date").FillAsync(DateTime.UtcNow.AddYears(4).ToString("dd/MM/yyyy"));
        await desk.GetByRole(AriaRole.Button, new() { Name = "Record the check and proceed" }).ClickAsync();
        (await desk.Locator("#desk-done").TextContentAsync())!.ShouldContain("no longer works");

        var mail = await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => m.Subject == "MySign: register your new OTP phone");
        var page = await (await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = "en-GB", BypassCSP = true })).NewPageAsync();
        await page.GotoAsync(ResetLink().Match(mail.TextBody!).Value);
        problems.AddRange(await AccessibilityTests.Violations(page));
        const string newPhone = "+393391112233";
        await page.GetByLabel("New mobile number").FillAsync("+39 339 111 2233");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the code" }).ClickAsync();
        await page.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, newPhone));
        problems.AddRange(await AccessibilityTests.Violations(page));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm the new phone" }).ClickAsync();
        (await page.Locator("#otp-reset-done").TextContentAsync())!.ShouldContain("233");

        // The holder signs in and asks for an OTP: it goes to the new phone; the old one hears nothing more.
        var oldMessages = (await Holders.SmsToAsync(browser.Store, holder.Applicant.Mobile)).Count;
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
        await page.GotoAsync("/sign");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the OTP" }).ClickAsync();
        await page.GetByLabel("Document to sign").WaitForAsync();
        (await Holders.SmsToAsync(browser.Store, newPhone)).Count.ShouldBe(2, "the confirmation code and this one");
        (await Holders.SmsToAsync(browser.Store, holder.Applicant.Mobile)).Count.ShouldBe(oldMessages);
        problems.ShouldBeEmpty(string.Join("\n", problems));
    }
}
