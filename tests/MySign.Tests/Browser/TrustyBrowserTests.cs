using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>Trusty from the header icon: the panel opens without a page load and each answer links to its page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TrustyBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task trusty_answers_in_the_questions_language_with_a_working_link()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Trusty" }).ClickAsync();
        await page.GetByLabel("Your question").FillAsync("how do I change the phone that receives the OTP?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ask" }).ClickAsync();
        (await page.Locator("#trusty-answer h3").TextContentAsync()).ShouldBe("How do I change the phone that receives the OTP?");
        new Uri(page.Url).AbsolutePath.ShouldBe("/login", "the panel came in without leaving the page");

        await page.Locator("button[name=lang][value=it]").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Trusty" }).ClickAsync();
        await page.GetByLabel("La tua domanda").FillAsync("come rinnovo la firma con un coupon?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chiedi" }).ClickAsync();
        (await page.Locator("#trusty-answer h3").TextContentAsync()).ShouldBe("Come rinnovo la firma con un coupon?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sì, mi è stata utile" }).ClickAsync();
        await page.GetByText("Grazie").WaitForAsync();
    }
}
