using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>A keyboard-only holder: Tab, typing and Enter, never the mouse, from sign-in to a PIN change confirmed by OTP.</summary>
[Collection(BrowserCollection.Name)]
public sealed class KeyboardTests(BrowserFixture browser)
{
    /// <summary>
    /// Waits until htmx has moved the focus to <paramref name="id"/> and finished settling the swap (see
    /// <see cref="BrowserFixture.SettledAsync"/>); if it never does, says where the focus is and what that box shows.
    /// </summary>
    private static async Task FocusedOn(IPage page, string id)
    {
        try
        {
            // Polled every 100 ms rather than on animation frames, which Chromium may throttle for a page not in front.
            await page.WaitForFunctionAsync("id => document.activeElement && document.activeElement.id === id", id, new() { PollingInterval = 100 });
            await BrowserFixture.SettledAsync(page);
            await page.WaitForFunctionAsync("id => document.activeElement && document.activeElement.id === id", id, new() { PollingInterval = 100, Timeout = 1000 });
        }
        catch (TimeoutException)
        {
            var seen = await page.EvaluateAsync<string>(
                "() => { const f = document.activeElement; const box = f && f.closest('section'); return 'focus: ' + (f ? f.outerHTML.slice(0, 200) : 'none') + ' | url: ' + location.href + ' | box: ' + (box ? box.innerText : document.body.innerText).slice(0, 1200); }");
            throw new TimeoutException($"#{id} never had the focus. {seen}");
        }
    }

    /// <summary>Presses Tab until the element with this id has the focus, as a keyboard user would.</summary>
    private static async Task TabTo(IPage page, string id)
    {
        for (var i = 0; i < 40; i++)
        {
            if (await page.EvaluateAsync<string?>("() => document.activeElement && document.activeElement.id") == id) return;
            await page.Keyboard.PressAsync("Tab");
        }
        throw new InvalidOperationException($"#{id} cannot be reached with Tab.");
    }

    [Fact]
    public async Task a_holder_signs_in_and_changes_the_pin_with_an_otp_using_only_the_keyboard()
    {
        var (userId, password, pin, applicant) = await browser.ActivatedHolderAsync();
        var mobile = applicant.Mobile;
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/login");
        await TabTo(page, "user_id");
        await page.Keyboard.TypeAsync(userId);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(password);
        await page.Keyboard.PressAsync("Enter");
        await BrowserFixture.ArrivedAtAsync(page, "/");

        await TabTo(page, "pin-change-link");
        await page.Keyboard.PressAsync("Enter");
        // htmx swaps the form into the box and the focus goes to its first field.
        await FocusedOn(page, "pin-current");
        await page.Keyboard.TypeAsync(pin);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("51739264");
        await TabTo(page, "pin-confirm");
        await page.Keyboard.TypeAsync("51739264");
        await page.Keyboard.PressAsync("Enter");
        await FocusedOn(page, "pin-code");
        await page.Keyboard.TypeAsync(await Holders.LastSmsCodeAsync(browser.Store, mobile));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#box-pin [role=status]").WaitForAsync();
        (await page.Locator("#box-pin [role=status]").TextContentAsync())!.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task someone_suspends_the_certificate_with_the_emergency_code_using_only_the_keyboard()
    {
        var (userId, password, _, _) = await browser.ActivatedHolderAsync("Ada", "F");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInHolderAsync(page, userId, password);
        var code = System.Text.RegularExpressions.Regex.Match((await page.Locator("#emergency-code").TextContentAsync())!, "[3-9A-Y]{4}(-[3-9A-Y]{4}){3}").Value;
        code.ShouldNotBeEmpty("the new holder's code is shown until kept");

        var stranger = await browser.NewPageAsync();
        await stranger.GotoAsync("/emergency");
        await TabTo(stranger, "emergency-user");
        await stranger.Keyboard.TypeAsync(userId);
        await stranger.Keyboard.PressAsync("Tab");
        await stranger.Keyboard.TypeAsync(code);
        await stranger.Keyboard.PressAsync("Enter");
        (await stranger.Locator("#emergency-done").TextContentAsync())!.ShouldContain("suspended");
    }

    [Fact]
    public async Task a_holder_chooses_a_new_pin_from_the_rao_mail_using_only_the_keyboard()
    {
        var holder = await browser.ActivatedHolderAsync("Ugo", "M");
        var desk = await browser.NewPageAsync();
        await browser.SignInDemoRaoAsync(desk);
        await desk.GotoAsync($"/rao/holders/{holder.UserId}");
        await desk.GetByLabel("Document type").SelectOptionAsync("passport");
        await desk.GetByLabel("Document number").FillAsync("YA1234567");
        await desk.GetByLabel("Expiry date").FillAsync(DateTime.UtcNow.AddYears(5).ToString("dd/MM/yyyy"));
        await desk.GetByRole(AriaRole.Button, new() { Name = "Record the check and mail the new-PIN link" }).ClickAsync();
        await desk.Locator("#desk-done").WaitForAsync();
        var mail = await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => m.Subject == "MySign: choose your new signature PIN");

        var page = await browser.NewPageAsync();
        await page.GotoAsync(System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"/new-pin\?token=[A-Za-z0-9_-]+").Value);
        await TabTo(page, "new-pin-pin");
        await page.Keyboard.TypeAsync("64028173");
        await TabTo(page, "new-pin-confirm");
        await page.Keyboard.TypeAsync("64028173");
        await page.Keyboard.PressAsync("Enter");
        await FocusedOn(page, "new-pin-code");
        await page.Keyboard.TypeAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await page.Keyboard.PressAsync("Enter");
        (await page.Locator("#new-pin-done").TextContentAsync())!.ShouldContain("is active under your new PIN");
    }

    [Fact]
    public async Task someone_uses_this_wasnt_me_from_the_new_sign_in_mail_using_only_the_keyboard()
    {
        var holder = await browser.ActivatedHolderAsync("Elsa", "F");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
        var mail = await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => m.Subject == "MySign: a new sign-in to your account");

        var mailbox = await browser.NewPageAsync();
        await mailbox.GotoAsync(new Uri(System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"https?://[^\s]+/not-me\?token=[A-Za-z0-9_-]+").Value).PathAndQuery);
        await TabTo(mailbox, "not-me-suspend");
        (await mailbox.EvaluateAsync<bool>("() => document.activeElement.checked")).ShouldBeTrue("suspension is ticked by default");
        await mailbox.Keyboard.PressAsync("Tab");
        (await mailbox.EvaluateAsync<string>("() => document.activeElement.textContent.trim()")).ShouldBe("End everything now");
        await mailbox.Keyboard.PressAsync("Enter");
        (await mailbox.Locator("#not-me-done").TextContentAsync())!.ShouldContain("suspended");
    }
}
