namespace MySign.Tests.Browser;

/// <summary>
/// The store's payment pages as a holder on a phone meets them, in both languages: a declined card, the page after leaving
/// the provider, the transfer instructions, the paid order with its electronic invoice, the list of orders. Each page
/// fits 390 px without sideways scrolling and has no serious or critical axe-core violation.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StoreBrowserTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("en-GB")]
    [InlineData("it-IT")]
    public async Task the_payment_and_invoice_pages_fit_a_phone_and_pass_axe(string locale)
    {
        var holder = await browser.ActivatedHolderAsync("Ornella", "F");
        await browser.DueInAMonthAsync(holder.UserId);
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = locale, BypassCSP = true,
            ViewportSize = new() { Width = 390, Height = 844 } });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        async Task Here(string what)
        {
            problems.AddRange((await PhoneLayoutTests.Overflows(page, $"{locale} {what}")));
            problems.AddRange((await AccessibilityTests.Violations(page)).Select(v => $"{locale} {what}: {v}"));
        }
        async Task Submit(string form) => await page.Locator($"form[action$='{form}'] button[type=submit]").First.ClickAsync();

        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
        await page.GotoAsync("/renewal");
        await page.Locator("button[name=path][value=store]").ClickAsync();
        await page.Locator("#pin").WaitForAsync();
        await page.Locator("#conditions").CheckAsync();
        await page.Locator("#data_valid").CheckAsync();
        await page.Locator("#pin").FillAsync(holder.Pin);
        await Submit("/consents");
        await page.Locator("#code").WaitForAsync(); // shown once the code is sent
        await page.Locator("#code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await Submit("/confirm");
        await page.Locator("form[action$='/store']").WaitForAsync();
        await Submit("/store");
        await page.Locator("#cart-total").WaitForAsync();
        await Here("the cart, with the store account form");
        await page.Locator("#new-name").FillAsync("Ornella " + holder.Applicant.LastName);
        var email = $"phone-{locale}-" + holder.Applicant.Email;
        await page.Locator("#new-email").FillAsync(email);
        await page.Locator("#new-password").FillAsync("ornella-store-pass");
        await page.Locator("form[action$='/account']").Nth(1).Locator("button[type=submit]").ClickAsync();
        await page.Locator("#store-notice").WaitForAsync();
        await Here("the store account's confirmation sent");
        await browser.ConfirmStoreAccountAsync(page, email);
        await page.Locator("#post_code").WaitForAsync();
        await Here("the mail's link followed: the billing form");
        // The billing form starts from the holder's own details, the one-line address split into its fields.
        (await page.Locator("#post_code").InputValueAsync()).ShouldBe("00179", "from the registration's Via Appia 10, 00179 Roma (RM)");
        (await page.Locator("#province").InputValueAsync()).ShouldBe("RM");
        await page.Locator("#confirm").CheckAsync();
        await page.Locator("input[name=method][value=card]").CheckAsync();
        await Submit("/pay");

        // Declined at the provider: back with a message and the form as it was.
        await page.Locator("button[name=decision][value=decline]").WaitForAsync();
        await Here("the payment provider's (sandbox) page");
        await page.Locator("button[name=decision][value=decline]").ClickAsync();
        await page.Locator("#payment-problem").WaitForAsync();
        await Here("declined");

        // Leaving the provider's page: the order says so and offers a way on.
        await Submit("/pay");
        await page.Locator("button[name=decision][value=approve]").WaitForAsync();
        await page.GoBackAsync();
        var orderPath = new Uri(page.Url).AbsolutePath;
        await page.GotoAsync(orderPath);
        await page.Locator("#awaiting-payment").WaitForAsync();
        await Here("awaiting the provider");
        await Submit("/retry");
        await page.Locator("#payment-problem").WaitForAsync();

        // Another way: a transfer, its instructions on the page.
        await page.Locator("input[name=method][value=transfer]").CheckAsync();
        await Submit("/pay");
        await page.Locator("#transfer-bic").WaitForAsync();
        await Here("transfer instructions");
        var reference = (await page.Locator("#transfer-reference").TextContentAsync())!;
        using (var bank = new HttpClient { BaseAddress = browser.App.BaseAddress })
            (await BankStatements.ImportAsync(bank, BankStatements.Camt053(($"PHONE-{locale}-{holder.UserId}", "36.60", reference)), BrowserFixture.BankImportToken))
                .EnsureSuccessStatusCode();

        // Paid: the invoice's number, its SdI state and its files.
        await page.GotoAsync(orderPath);
        await page.Locator(".fiscal-document a.document-xml").WaitForAsync();
        await Here("paid, with its invoice");
        await page.GotoAsync("/store/orders");
        await page.Locator(".orders-list a[download]").First.WaitForAsync();
        await Here("orders and invoices");

        await context.CloseAsync();
        problems.ShouldBeEmpty(string.Join("\n", problems));
    }
}
