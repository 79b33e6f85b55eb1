using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>A RAO desk end to end: operator with OTP, registration, the printed request, the mail, the holder's activation.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RaoBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task an_operator_registers_a_holder_who_activates_from_the_mail_and_sees_an_active_certificate()
    {
        var op = await Operators.CreateAsync(browser.Store);
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/rao/login");
        await page.GetByLabel("RAO username").FillAsync(op.Id);
        await page.GetByLabel("RAO password").FillAsync(op.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "SIGN IN", Exact = true }).ClickAsync();
        await page.GetByText("Enter the OTP sent to").WaitForAsync();
        await page.GetByLabel("OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, op.Mobile));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = $"Holders registered at {op.Office}" }).WaitForAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Register a holder" }).First.ClickAsync();
        var applicant = Applicant.New("Chiara", "F");
        var typo = applicant.FiscalCode[..15] + (applicant.FiscalCode[15] == 'A' ? 'B' : 'A');
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(applicant.FirstName);
        await page.GetByLabel("Surname", new() { Exact = true }).FillAsync(applicant.LastName);
        await page.GetByLabel("Female").CheckAsync();
        await page.GetByLabel("Date of birth").FillAsync(applicant.BirthDate.ToString("yyyy-MM-dd"));
        await page.GetByLabel("Place of birth").FillAsync("Roma");
        await page.GetByLabel("Fiscal code").FillAsync(typo);
        await page.GetByLabel("Document type").SelectOptionAsync("passport");
        await page.GetByLabel("Document number").FillAsync("YA1234567");
        await page.GetByLabel("Issued by").FillAsync("Questura di Roma");
        await page.GetByLabel("Expiry date").FillAsync(DateTime.UtcNow.AddYears(4).ToString("yyyy-MM-dd"));
        await page.GetByLabel("E-mail").FillAsync(applicant.Email);
        await page.GetByLabel("Mobile phone").FillAsync(applicant.Mobile);
        await page.GetByLabel("Address", new() { Exact = true }).FillAsync("Via Nazionale 5");
        await page.GetByLabel("Post code").FillAsync("00184");
        await page.GetByLabel("City").FillAsync("Roma");
        await page.GetByLabel("Province").FillAsync("RM");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register the holder" }).ClickAsync();

        // The wrong check letter: said next to the field, everything typed still there.
        (await page.Locator("#fiscal_code-error").TextContentAsync())!.ShouldContain("check character");
        (await page.GetByLabel("Surname", new() { Exact = true }).InputValueAsync()).ShouldBe(applicant.LastName);
        (await page.GetByLabel("E-mail").InputValueAsync()).ShouldBe(applicant.Email);
        (await page.GetByLabel("Female").IsCheckedAsync()).ShouldBeTrue();
        await page.GetByLabel("Fiscal code").FillAsync(applicant.FiscalCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register the holder" }).ClickAsync();

        var userId = (await page.Locator("#holder-user-id").TextContentAsync())!;
        userId.ShouldMatch("^[a-z][0-9]{6}$");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the Registration Request (PDF)" }).ClickAsync());
        var pdf = await Pdf.TextAsync(await File.ReadAllBytesAsync((await download.PathAsync())!));
        pdf.ShouldContain(userId);
        pdf.ShouldContain("Chiara");
        pdf.ShouldContain(applicant.LastName);

        var mail = await browser.Smtp.WaitForAsync(applicant.Email, m => m.Subject == "MySign: your User ID and the activation link");
        var link = Regex.Match(mail.TextBody!, @"http://127\.0\.0\.1:\d+/activate\?token=[A-Za-z0-9_-]+").Value;
        link.ShouldStartWith(browser.App.BaseAddress.ToString().TrimEnd('/'));

        var holder = await browser.NewPageAsync();
        await holder.GotoAsync(link);
        (await holder.GetByText($"Your User ID is {userId}").CountAsync()).ShouldBe(1);
        await holder.GetByLabel("Password", new() { Exact = true }).FillAsync("chiara's own passphrase");
        await holder.GetByLabel("Confirm the password").FillAsync("chiara's own passphrase");
        await holder.GetByLabel("Signature PIN", new() { Exact = true }).FillAsync("73159284");
        await holder.GetByLabel("Confirm the signature PIN").FillAsync("73159284");
        await holder.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await holder.GetByText("Enter the OTP sent to").WaitForAsync();
        await holder.GetByLabel("OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, applicant.Mobile));
        await holder.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await BrowserFixture.ArrivedAtAsync(holder, "/");
        (await holder.Locator("h1.holder-name").TextContentAsync()).ShouldBe($"Chiara {applicant.LastName}");
        (await holder.Locator("#box-certificate").TextContentAsync())!.ShouldContain("Active");

        // Later, a month before expiry (Renewal's record of the due date moved forward), the office's coupon renews it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Coupons" }).First.ClickAsync();
        await page.GetByLabel("Organisation").FillAsync("Studio Legale Neri");
        await page.GetByLabel("Number of coupons").FillAsync("2");
        await page.GetByLabel("Valid until").FillAsync(DateTime.UtcNow.AddMonths(3).ToString("yyyy-MM-dd"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Issue the coupons" }).ClickAsync();
        var coupon = (await page.Locator("td code").First.TextContentAsync())!;
        await browser.DueInAMonthAsync(userId);

        await holder.ReloadAsync();
        await holder.GetByRole(AriaRole.Link, new() { Name = "Renew now" }).ClickAsync();
        await holder.GetByRole(AriaRole.Button, new() { Name = "Renew with Coupon" }).ClickAsync();
        await ConsentAndConfirmAsync(holder, "73159284", applicant.Mobile);
        await holder.GetByLabel("Coupon", new() { Exact = true }).FillAsync(coupon);
        await holder.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await ActivateAsync(holder, "61829374", applicant.Mobile);
        new Uri(holder.Url).AbsolutePath.ShouldStartWith("/renewal/", customMessage: "htmx swapped each step into the wizard");

        (await Holders.SmsToAsync(browser.Store, applicant.Mobile)).ShouldAllBe(m => !m.Text.Contains("otp.purpose"), "every SMS says what the code is for");
        await page.ReloadAsync();
        (await page.Locator("td", new() { HasText = coupon }).Locator("xpath=..").TextContentAsync())!.ShouldContain($"Redeemed by {userId}");

        // Three years on, the same holder renews through the MySign Store with a promo code and a card.
        await browser.DueInAMonthAsync(userId);
        await holder.GotoAsync("/renewal");
        await holder.GetByRole(AriaRole.Button, new() { Name = "Renew signature" }).ClickAsync();
        await ConsentAndConfirmAsync(holder, "61829374", applicant.Mobile);
        await holder.GetByRole(AriaRole.Button, new() { Name = "Proceed to payment" }).ClickAsync();
        (await holder.Locator("#cart-total").TextContentAsync()).ShouldBe("€36.60");
        await holder.GetByLabel("Promotional code").FillAsync("WELCOME10");
        await holder.GetByRole(AriaRole.Button, new() { Name = "Modification" }).ClickAsync();
        (await holder.Locator("#cart-total").TextContentAsync()).ShouldBe("€32.94");
        await holder.Locator("#new-name").FillAsync("Chiara " + applicant.LastName);
        await holder.Locator("#new-email").FillAsync("store-" + applicant.Email);
        await holder.Locator("#new-password").FillAsync("chiara-store-pass");
        await holder.GetByRole(AriaRole.Button, new() { Name = "Create your account" }).ClickAsync();
        await holder.Locator("#store-notice").WaitForAsync();
        await browser.ConfirmStoreAccountAsync(holder, "store-" + applicant.Email);
        await holder.GetByLabel("Name or company name").FillAsync("Chiara " + applicant.LastName);
        await holder.GetByLabel("Fiscal code").FillAsync(applicant.FiscalCode);
        await holder.GetByLabel("Address").FillAsync("Via Nazionale 5, 00184 Roma");
        await holder.GetByLabel("I confirm that the billing information entered is correct").CheckAsync();
        await holder.GetByLabel("Credit card").CheckAsync();
        await holder.GetByRole(AriaRole.Button, new() { Name = "PROCEED TO CHECKOUT" }).ClickAsync();
        await holder.GetByRole(AriaRole.Button, new() { Name = "Approve the payment" }).ClickAsync();
        await holder.GetByText("Payment received").WaitForAsync();
        // The app runs as `make run` runs it (no Portal:BaseUrl, a port other than 5000): the provider sent the browser back here.
        new Uri(holder.Url).Port.ShouldBe(browser.App.BaseAddress.Port);
        var invoice = await holder.RunAndWaitForDownloadAsync(() => holder.GetByRole(AriaRole.Link, new() { Name = "Download the invoice (PDF)" }).ClickAsync());
        (await Pdf.TextAsync(await File.ReadAllBytesAsync((await invoice.PathAsync())!))).ShouldContain("€32.94");
        await holder.GetByRole(AriaRole.Link, new() { Name = "Continue the renewal" }).ClickAsync();
        await ActivateAsync(holder, "27394816", applicant.Mobile);
        await browser.Smtp.WaitForAsync("store-" + applicant.Email, m => m.Subject == "MySign Store: order confirmation and invoice");

        // Next time at the RAO desk: the operator types the RAO credentials into the holder's renewal.
        await browser.DueInAMonthAsync(userId);
        await holder.GotoAsync("/renewal");
        await holder.GetByRole(AriaRole.Button, new() { Name = "Renew with RAO credentials" }).ClickAsync();
        await ConsentAndConfirmAsync(holder, "27394816", applicant.Mobile);
        await holder.GetByLabel("RAO username").FillAsync(op.Id);
        await holder.GetByLabel("RAO password").FillAsync(op.Password);
        await holder.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        // The holder stops after the desk's part and finishes at home: the next sign-in opens this renewal.
        await holder.GetByRole(AriaRole.Button, new() { Name = "Finish later" }).ClickAsync();
        await holder.Locator("#renewal-later").WaitForAsync();
        var paused = new Uri(holder.Url).AbsolutePath;
        await holder.Locator("#renewal-later button").ClickAsync();
        await BrowserFixture.ArrivedAtAsync(holder, "/login");
        await BrowserFixture.SignInAsync(holder, userId, "chiara's own passphrase");
        await BrowserFixture.ArrivedAtAsync(holder, paused);
        await ActivateAsync(holder, "49271836", applicant.Mobile);
        await holder.Context.ClearCookiesAsync();
        await BrowserFixture.SignInAsync(holder, userId, "chiara's own passphrase");
        await BrowserFixture.ArrivedAtAsync(holder, "/"); // used once

        // And by bank transfer: the renewal waits for the bank statement, then resumes from the home page.
        await browser.DueInAMonthAsync(userId);
        await holder.GotoAsync("/renewal");
        await holder.GetByRole(AriaRole.Button, new() { Name = "Renew signature" }).ClickAsync();
        await ConsentAndConfirmAsync(holder, "49271836", applicant.Mobile);
        await holder.GetByRole(AriaRole.Button, new() { Name = "Proceed to payment" }).ClickAsync();
        // "Eliminates" empties the cart: back to the renewal, which offers the payment again with a new cart.
        var firstCart = new Uri(holder.Url).AbsolutePath;
        await holder.GetByRole(AriaRole.Button, new() { Name = "Eliminates" }).ClickAsync();
        await holder.GetByRole(AriaRole.Button, new() { Name = "Proceed to payment" }).ClickAsync(new() { Timeout = 15_000 });
        await holder.Locator("#cart-total").WaitForAsync();
        new Uri(holder.Url).AbsolutePath.ShouldNotBe(firstCart);
        await holder.Locator("#login-email").FillAsync("store-" + applicant.Email);
        await holder.Locator("#login-password").FillAsync("chiara-store-pass");
        await holder.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
        await holder.GetByLabel("Name or company name").FillAsync("Chiara " + applicant.LastName);
        await holder.GetByLabel("Fiscal code").FillAsync(applicant.FiscalCode);
        await holder.GetByLabel("Address").FillAsync("Via Nazionale 5, 00184 Roma");
        await holder.GetByLabel("I confirm that the billing information entered is correct").CheckAsync();
        await holder.GetByLabel("Bank transfer", new() { Exact = false }).CheckAsync();
        await holder.GetByRole(AriaRole.Button, new() { Name = "PROCEED TO CHECKOUT" }).ClickAsync();
        var reference = (await holder.Locator("#transfer-reference").TextContentAsync())!;
        using (var bank = new HttpClient { BaseAddress = browser.App.BaseAddress })
        {
            var statement = new HttpRequestMessage(HttpMethod.Post, "/webhooks/bank/camt053") { Content = new StringContent(
                $"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt><Ntry><Amt Ccy=\"EUR\">36.60</Amt><CdtDbtInd>CRDT</CdtDbtInd>" +
                $"<Sts>BOOK</Sts><AcctSvcrRef>BANK-{userId}</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>{reference}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>",
                System.Text.Encoding.UTF8, "application/xml") };
            statement.Headers.Authorization = new("Bearer", BrowserFixture.BankImportToken);
            (await bank.SendAsync(statement)).EnsureSuccessStatusCode();
        }
        await holder.GotoAsync("/");
        await holder.GetByRole(AriaRole.Link, new() { Name = "Continue the renewal in progress" }).ClickAsync();
        await ActivateAsync(holder, "83920174", applicant.Mobile);
    }

    /// <summary>Steps 1 and 2 of the renewal wizard: consents with the current PIN, then the OTP.</summary>
    private async Task ConsentAndConfirmAsync(IPage holder, string pin, string mobile)
    {
        (await holder.GetByRole(AriaRole.Link, new() { Name = "general conditions of service" }).GetAttributeAsync("href"))!.ShouldStartWith("/renewal/conditions");
        (await holder.GetByRole(AriaRole.Link, new() { Name = "apply for a new certificate" }).GetAttributeAsync("href"))!.ShouldStartWith("/renewal/new-certificate");
        await holder.GetByLabel("I accept the general conditions of service").CheckAsync();
        await holder.GetByLabel("Confirmed").CheckAsync();
        await holder.GetByLabel("Enter the signature PIN").FillAsync(pin);
        await holder.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await holder.GetByText("Enter the OTP code to confirm the operation").WaitForAsync(); // the code is sent before this shows
        (await holder.Locator("#code-notice").TextContentAsync())!.ShouldStartWith("Enter the OTP we sent by SMS to ");
        (await holder.GetByLabel("Enter OTP code").GetAttributeAsync("maxlength")).ShouldBe("8");
        await holder.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, mobile));
        await holder.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        // Step 3 swapped in and htmx done with it: a click on a form htmx has not taken over yet would be lost.
        await holder.Locator("li[aria-current=step]", new() { HasText = "3." }).WaitForAsync();
        await BrowserFixture.SettledAsync(holder);
    }

    /// <summary>Steps 4 and 5 of the renewal wizard: the new PIN, then the OTP; ends on the success message.</summary>
    private async Task ActivateAsync(IPage holder, string newPin, string mobile)
    {
        try
        {
            await holder.GetByLabel("Choose a signature PIN").WaitForAsync(new() { Timeout = 15_000 });
        }
        catch (TimeoutException e)
        {
            var text = await holder.Locator("main").InnerTextAsync();
            throw new TimeoutException($"Step 4 never came at {holder.Url}. The page shows:\n{text}\nApp:\n{browser.App.Output[^Math.Min(4000, browser.App.Output.Length)..]}", e);
        }
        await BrowserFixture.SettledAsync(holder);
        await holder.GetByLabel("Choose a signature PIN").FillAsync(newPin);
        // The eye of the seed: "Show PIN" shows what was typed, and hides it again.
        var show = holder.GetByRole(AriaRole.Button, new() { Name = "Show PIN" }).First;
        await show.ClickAsync();
        (await holder.GetByLabel("Choose a signature PIN").GetAttributeAsync("type")).ShouldBe("text");
        (await show.GetAttributeAsync("aria-pressed")).ShouldBe("true");
        await show.ClickAsync();
        (await holder.GetByLabel("Choose a signature PIN").GetAttributeAsync("type")).ShouldBe("password");
        await holder.GetByLabel("Confirm PIN").FillAsync(newPin);
        await holder.GetByRole(AriaRole.Button, new() { Name = "Activate the certificate" }).ClickAsync();
        try
        {
            await holder.Locator("li[aria-current=step]", new() { HasText = "5." }).WaitForAsync(); // the code is sent before this shows
        }
        catch (TimeoutException e)
        {
            var text = await holder.Locator("#renewal-wizard").InnerTextAsync();
            throw new TimeoutException($"Step 5 never came. The wizard shows:\n{text}\nApp:\n{browser.App.Output[^Math.Min(3000, browser.App.Output.Length)..]}", e);
        }
        await holder.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, mobile));
        await holder.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await holder.GetByText("Your Remote Signature certificate has been renewed.").WaitForAsync();
    }
}
