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
        // Enter in a field sends nothing: every action here changes something for the holder, so only its own button does.
        await desk.GetByLabel("Document number").PressAsync("Enter");
        await desk.WaitForTimeoutAsync(1000);
        (await desk.Locator("#desk-doc-expiry-error").CountAsync()).ShouldBe(0, "Enter submitted the desk form");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Record the check and reset the OTP phone" }).ClickAsync();
        await desk.Locator("#desk-doc-expiry-error").WaitForAsync();
        (await desk.GetByLabel("Document number").InputValueAsync()).ShouldBe("CA98765ZZ");
        problems.AddRange(await AccessibilityTests.Violations(desk));
        await desk.GetByLabel("Expiry date").FillAsync(DateTime.UtcNow.AddYears(4).ToString("dd/MM/yyyy"));
        await desk.GetByRole(AriaRole.Button, new() { Name = "Record the check and reset the OTP phone" }).ClickAsync();
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

    [GeneratedRegex(@"/new-pin\?token=[A-Za-z0-9_-]+")]
    private static partial Regex NewPinLink();

    [Fact]
    public async Task a_blocked_pin_is_unblocked_at_the_desk_and_a_forgotten_one_gets_a_new_certificate_chosen_from_the_mail()
    {
        var holder = await browser.ActivatedHolderAsync("Teresa", "F");
        var problems = new List<string>();
        var page = await (await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = "en-GB", BypassCSP = true })).NewPageAsync();
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
        using var openssl = new OpenSsl();
        openssl.Write("old.pem", await (await page.APIRequest.GetAsync("/certificate/download/pem")).TextAsync());

        // Five wrong PINs block it; the PIN box then says what the RAO can do, instead of a dead end.
        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            // Each try on a freshly loaded form: typing into the form htmx is still swapping in can lose a field, and
            // a try refused for a missing field is (rightly) not counted.
            await page.GotoAsync("/pin");
            await page.Locator("#pin-current").FillAsync("99999999");
            await page.Locator("#pin-new").FillAsync("51739264");
            await page.Locator("#pin-confirm").FillAsync("51739264");
            var answer = await page.RunAndWaitForResponseAsync(() => page.Locator("form[action='/pin'] button[type=submit]").ClickAsync(),
                r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/pin");
            answers.Add(Regex.Match(await answer.TextAsync(), "id=\"pin-error\"[^>]*>([^<]*)").Groups[1].Value);
        }
        await page.GotoAsync("/");
        var pinBox = (await page.Locator("#box-pin").TextContentAsync())!;
        pinBox.ShouldContain("your RAO office unblocks it after checking your identity document", customMessage: pinBox + " | the five answers: " + string.Join(" | ", answers));

        var desk = await (await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = "en-GB", BypassCSP = true })).NewPageAsync();
        await browser.SignInDemoRaoAsync(desk);
        async Task HelpAsync(string action, string number)
        {
            await desk.GotoAsync($"/rao/holders/{holder.UserId}");
            await desk.GetByLabel("Document type").SelectOptionAsync("identity_card");
            await desk.GetByLabel("Document number").FillAsync(number);
            await desk.GetByLabel("Expiry date").FillAsync(DateTime.UtcNow.AddYears(3).ToString("dd/MM/yyyy"));
            await desk.Locator($"button[formaction*='/desk/{action}#']").ClickAsync();
            await desk.Locator("#desk-done").WaitForAsync();
            problems.AddRange(await AccessibilityTests.Violations(desk));
        }

        await HelpAsync("unblock-pin", "CA55555TT");
        await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => m.Subject == "MySign: your signature PIN was unblocked");
        await page.GotoAsync("/");
        (await page.Locator("#box-pin").TextContentAsync())!.ShouldNotContain("Your PIN is blocked");

        // Unblocking again, now that the PIN works, on a phone: refused next to the buttons, with what was typed kept.
        await desk.SetViewportSizeAsync(390, 844);
        await desk.GotoAsync($"/rao/holders/{holder.UserId}");
        await desk.GetByLabel("Document type").SelectOptionAsync("identity_card");
        await desk.GetByLabel("Document number").FillAsync("CA55555TT");
        await desk.GetByLabel("Expiry date").FillAsync(DateTime.UtcNow.AddYears(3).ToString("dd/MM/yyyy"));
        await desk.Locator("button[formaction*='/desk/unblock-pin#']").ClickAsync();
        await desk.GetByText("The PIN is not blocked: the holder can still use it").WaitForAsync();
        (await desk.GetByLabel("Document number").InputValueAsync()).ShouldBe("CA55555TT");
        problems.AddRange(await AccessibilityTests.Violations(desk));
        problems.AddRange(await PhoneLayoutTests.Overflows(desk, "the desk's refusal at 390 px"));
        await desk.SetViewportSizeAsync(1280, 800);

        // Forgotten after all: a new PIN from the mail, confirmed with the OTP; a new certificate, no order.
        await HelpAsync("forgotten-pin", "CA55555TT");
        var mail = await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => m.Subject == "MySign: choose your new signature PIN");
        var chooser = await (await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = "en-GB", BypassCSP = true })).NewPageAsync();
        await chooser.GotoAsync(NewPinLink().Match(mail.TextBody!).Value);
        await chooser.Locator("#new-pin-pin").FillAsync("58203916");
        await chooser.Locator("#new-pin-confirm").FillAsync("58203916");
        await chooser.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await chooser.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        problems.AddRange(await AccessibilityTests.Violations(chooser));
        await chooser.GetByRole(AriaRole.Button, new() { Name = "Issue my new certificate" }).ClickAsync();
        (await chooser.Locator("#new-pin-done").TextContentAsync())!.ShouldContain("is active under your new PIN");

        // openssl: the old certificate is revoked on the CRL, the new one verifies.
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
        openssl.Write("new.pem", await (await page.APIRequest.GetAsync("/certificate/download/pem")).TextAsync());
        openssl.Write("root.pem", await (await page.APIRequest.GetAsync("/ca/root.pem")).TextAsync());
        openssl.Write("issuing.pem", await (await page.APIRequest.GetAsync("/ca/issuing.pem")).TextAsync());
        openssl.Write("crl.der", await (await page.APIRequest.GetAsync("/crl/issuing.crl")).BodyAsync());
        (await openssl.RunAsync("crl", "-inform", "DER", "-in", "crl.der", "-out", "crl.pem")).Exit.ShouldBe(0);
        (await openssl.RunAsync("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-CRLfile", "crl.pem", "old.pem")).Output.ShouldContain("certificate revoked");
        (await openssl.RunAsync("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-CRLfile", "crl.pem", "new.pem")).Output.ShouldContain("new.pem: OK");
        problems.ShouldBeEmpty(string.Join("\n", problems));
    }

    /// <summary>
    /// A holder who suspended the certificate and then forgot the PIN, in Italian on a phone: the desk's new PIN gives a
    /// certificate that stays suspended (ADR 0023), and the last page says so and what to do.
    /// </summary>
    [Fact]
    public async Task a_suspended_holder_who_forgot_the_pin_reads_on_a_phone_in_italian_that_the_new_certificate_stays_suspended()
    {
        var holder = await browser.ActivatedHolderAsync("Rita", "F");
        var problems = new List<string>();
        var phone = await (await browser.Browser.NewContextAsync(new()
        {
            BaseURL = browser.App.BaseAddress.ToString(), Locale = "it-IT", BypassCSP = true, ViewportSize = new() { Width = 390, Height = 844 },
        })).NewPageAsync();
        await BrowserFixture.SignInHolderAsync(phone, holder.UserId, holder.Password);
        await phone.GotoAsync("/certificate/suspend");
        await phone.Locator("#status-reason").SelectOptionAsync("lostDevice");
        await phone.Locator("#status-pin").FillAsync(holder.Pin);
        await phone.Locator("#box-suspension form button[type=submit]").ClickAsync();
        // The code is read once its step shows: it is sent before the step is answered.
        await phone.Locator("#status-code").WaitForAsync();
        await BrowserFixture.SettledAsync(phone);
        await phone.Locator("#status-code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await phone.Locator("#box-suspension form button.primary").ClickAsync();
        await phone.Locator("#box-suspension p.notice[role=status]").WaitForAsync();

        var desk = await browser.NewPageAsync();
        await browser.SignInDemoRaoAsync(desk);
        await desk.GotoAsync($"/rao/holders/{holder.UserId}");
        await desk.GetByLabel("Document type").SelectOptionAsync("passport");
        await desk.GetByLabel("Document number").FillAsync("YA7654321");
        await desk.GetByLabel("Expiry date").FillAsync(DateTime.UtcNow.AddYears(5).ToString("dd/MM/yyyy"));
        await desk.Locator("button[formaction*='/desk/forgotten-pin#']").ClickAsync();
        await desk.Locator("#desk-done").WaitForAsync();
        var mail = await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => NewPinLink().IsMatch(m.TextBody ?? ""));

        await phone.GotoAsync(NewPinLink().Match(mail.TextBody!).Value);
        await phone.Locator("#new-pin-pin").FillAsync("58203916");
        await phone.Locator("#new-pin-confirm").FillAsync("58203916");
        await phone.Locator("form[action='/new-pin'] button[type=submit]").ClickAsync();
        await phone.Locator("#new-pin-code").WaitForAsync();
        await phone.Locator("#new-pin-code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await phone.Locator("form[action='/new-pin/confirm'] button.primary").ClickAsync();
        (await phone.Locator("#new-pin-done").TextContentAsync())!.ShouldContain("È sospeso, come lo era il precedente");
        problems.AddRange(await AccessibilityTests.Violations(phone));
        problems.AddRange(await PhoneLayoutTests.Overflows(phone, "the new PIN's last page, suspended, at 390 px"));

        await phone.GotoAsync("/");
        (await phone.Locator("#box-certificate").TextContentAsync())!.ShouldContain("Sospeso");
        problems.ShouldBeEmpty(string.Join("\n", problems));
    }
}
