using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>Trusty from the header icon: the panel opens without a page load and each answer links to its page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TrustyBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task trusty_answers_in_the_questions_language_with_a_working_link()
    {
        var holder = await Holders.CreateAsync(browser.Store, "Dario", "Fo");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, holder.Id, holder.Password);
        await BrowserFixture.ArrivedAtAsync(page, "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Trusty" }).ClickAsync();
        // The panel takes the focus: the question field is ready to type in.
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'trusty-question'", null, new() { Timeout = 5000 });
        await page.GetByLabel("Your question").FillAsync("how do I change the phone that receives the OTP?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask" }).ClickAsync();
        (await page.Locator("#trusty-answer h3").TextContentAsync()).ShouldBe("How do I change the phone that receives the OTP?");
        new Uri(page.Url).AbsolutePath.ShouldBe("/", "the panel came in without leaving the page");
        await page.Locator("#trusty-answer a").ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/otp/phone");
        (await page.Locator("h1, h2").First.TextContentAsync()).ShouldNotBeNullOrWhiteSpace();

        await page.Locator("button[name=lang][value=it]").ClickAsync();
        await page.Locator("html[lang=it]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.GetByRole(AriaRole.Link, new() { Name = "Trusty" }).ClickAsync();
        await page.GetByLabel("La tua domanda").FillAsync("come rinnovo la firma con un coupon?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chiedi" }).ClickAsync();
        (await page.Locator("#trusty-answer h3").TextContentAsync()).ShouldBe("Come rinnovo la firma con un coupon?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sì, mi è stata utile" }).ClickAsync();
        await page.GetByText("Grazie").WaitForAsync();
        // The thanks come with the question field again: a second question in the same panel.
        await page.GetByLabel("La tua domanda").FillAsync("come rinnovo la firma con un coupon?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chiedi" }).ClickAsync();
        await page.Locator("#trusty-answer a").ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/renewal");
        (await page.Locator("h1").TextContentAsync()).ShouldBe("Rinnova firma digitale");

        // A topic from the list answers in the panel; the panel closes with its button and with Escape.
        await page.GetByRole(AriaRole.Link, new() { Name = "Trusty" }).ClickAsync();
        await page.Locator(".trusty-topics a").First.ClickAsync();
        await page.Locator("#trusty-answer").WaitForAsync();
        new Uri(page.Url).AbsolutePath.ShouldBe("/renewal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chiudi" }).ClickAsync();
        await page.Locator("#trusty").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.GetByRole(AriaRole.Link, new() { Name = "Trusty" }).ClickAsync();
        await page.Locator("#trusty-question").WaitForAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#trusty").WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }
}
