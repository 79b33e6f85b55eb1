using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>
/// Passkeys as the confirmation factor, in Chromium with its virtual authenticator (CDP WebAuthn) standing in for a
/// phone's or laptop's passkey. The page runs on http://localhost (browsers refuse an IP address as RP ID).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PasskeyBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task a_holder_adds_a_passkey_confirms_with_it_and_an_assertion_made_for_one_operation_confirms_no_other()
    {
        var holder = await browser.ActivatedHolderAsync("Nadia", "F");
        var page = await browser.LocalhostPageAsync();
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);

        // Add a passkey, confirmed with the SMS code the holder uses today.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await page.GetByLabel("Name of the passkey").FillAsync("My laptop");
        await page.GetByLabel("Enter OTP code").WaitForAsync();
        await page.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the passkey" }).ClickAsync();
        await page.Locator("#box-otp .passkey-name", new() { HasText = "My laptop" }).WaitForAsync();
        await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => m.TextBody!.Contains("a passkey was added"));

        // From now on a passkey, not a code.
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm with a passkey instead of OTP codes" }).ClickAsync();
        await page.GetByLabel("Enter OTP code").WaitForAsync();
        await page.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm with passkeys from now on" }).ClickAsync();
        await page.Locator("#box-otp dd", new() { HasText = "Passkey" }).WaitForAsync();
        await browser.MessagesSettledAsync(); // the switch's notice on the phone leaves once it committed
        var texts = (await Holders.SmsToAsync(browser.Store, holder.Applicant.Mobile)).Count;

        // The last passkey can't go while passkeys are how the holder confirms.
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove the passkey My laptop" }).ClickAsync();
        (await page.Locator("#otp-error").TextContentAsync())!.ShouldContain("This is your last passkey");
        await page.GotoAsync("/");

        // Sign a document with PIN + passkey; keep the assertion the browser made for it instead of sending it.
        using var files = new OpenSsl();
        files.Write("contratto.txt", "Contratto di fornitura n. 77"u8.ToArray());
        files.Write("altro.txt", "Un altro documento"u8.ToArray());
        await page.GotoAsync("/sign");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
        await page.GetByLabel("Document to sign").SetInputFilesAsync(Path.Combine(files.Folder, "contratto.txt"));
        await page.GetByLabel("Signature PIN").FillAsync(holder.Pin);
        var captured = await CaptureAssertionAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Sign and download" }).ClickAsync());

        // The same assertion with another document is refused: it committed to the first file's hash.
        await page.GetByLabel("Document to sign").SetInputFilesAsync(Path.Combine(files.Folder, "altro.txt"));
        await SubmitWithCodeAsync(page, "form[action='/sign']", captured);
        (await page.Locator("#sign-error").TextContentAsync())!.ShouldContain("The OTP is not correct");

        // Nor does it confirm a PIN change (another operation, another challenge).
        await page.GotoAsync("/pin");
        await page.Locator("#pin-current").FillAsync(holder.Pin);
        await page.Locator("#pin-new").FillAsync("51739264");
        await page.Locator("#pin-confirm").FillAsync("51739264");
        await page.Locator("form[action='/pin'] button[type=submit]").ClickAsync();
        await page.Locator("[data-passkey]").WaitForAsync();
        await SubmitWithCodeAsync(page, "form[action='/pin/confirm']", captured);
        (await page.Locator("#pin-error").TextContentAsync())!.ShouldContain("The OTP is not correct");

        // The passkey itself, asked for this PIN change, confirms it: the new PIN works from now on.
        await page.Locator("form[action='/pin/confirm'] button[type=submit]").ClickAsync();
        await page.Locator("#box-pin [role=status]").WaitForAsync();
        await page.GotoAsync("/sign");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
        await page.GetByLabel("Document to sign").SetInputFilesAsync(Path.Combine(files.Folder, "contratto.txt"));
        await page.GetByLabel("Signature PIN").FillAsync("51739264");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign and download" }).ClickAsync();
        (await page.Locator("#sign-done").TextContentAsync())!.ShouldContain("contratto.txt");
        (await Holders.SmsToAsync(browser.Store, holder.Applicant.Mobile)).Count.ShouldBe(texts, "a passkey holder gets no OTP by SMS");

        // The box with its passkeys and a step that asks for one pass axe (injected, so this context bypasses CSP).
        var checker = await (await browser.Browser.NewContextAsync(new() { BaseURL = browser.App.BaseAddress.ToString(), Locale = "en-GB", BypassCSP = true })).NewPageAsync();
        await BrowserFixture.SignInHolderAsync(checker, holder.UserId, holder.Password);
        var problems = new List<string>(await AccessibilityTests.Violations(checker));
        await checker.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await checker.Locator("[data-passkey]").WaitForAsync();
        problems.AddRange(await AccessibilityTests.Violations(checker));
        problems.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_holder_adds_a_passkey_and_chooses_it_as_the_mode_with_the_keyboard_only()
    {
        var holder = await browser.ActivatedHolderAsync("Ottavio", "M");
        var page = await browser.LocalhostPageAsync();
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);

        await TabToButtonAsync(page, "Add a passkey");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'passkey-name'");
        await BrowserFixture.SettledAsync(page);
        await page.Keyboard.TypeAsync("Security key");
        await page.Keyboard.PressAsync("Tab");
        (await page.EvaluateAsync<string>("() => document.activeElement.id")).ShouldBe("passkey-code");
        await page.Keyboard.TypeAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#box-otp .passkey-name", new() { HasText = "Security key" }).WaitForAsync();

        await TabToButtonAsync(page, "Confirm with a passkey instead of OTP codes");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'passkey-code'");
        await BrowserFixture.SettledAsync(page);
        await page.Keyboard.TypeAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#box-otp dd", new() { HasText = "Passkey" }).WaitForAsync();

        // In Italian, on a phone: the box with its passkey and the step that asks for it fit 390 px.
        var phone = await (await browser.Browser.NewContextAsync(new()
        {
            BaseURL = browser.App.BaseAddress.ToString(), Locale = "it-IT", ViewportSize = new() { Width = 390, Height = 844 },
        })).NewPageAsync();
        await BrowserFixture.SignInHolderAsync(phone, holder.UserId, holder.Password);
        var problems = new List<string>(await PhoneLayoutTests.Overflows(phone, "it passkeys box 390px"));
        (await phone.Locator("#box-otp").TextContentAsync())!.ShouldContain("aggiunta il");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Rimuovi la passkey Security key" }).ClickAsync();
        await phone.Locator("#otp-error").WaitForAsync();
        (await phone.Locator("#otp-error").TextContentAsync())!.ShouldContain("ultima passkey");
        problems.AddRange(await PhoneLayoutTests.Overflows(phone, "it remove refused 390px"));
        problems.ShouldBeEmpty();
        // Sign-in with the passkey: after the password, and alone. Both are the holder's choice, confirmed with the password.
        await page.GotoAsync("/account");
        await page.GetByLabel("After the password, also ask for my OTP or passkey").CheckAsync();
        await page.GetByLabel("Let me sign in with a passkey alone (no User ID or password)").CheckAsync();
        await page.GetByLabel("Current password, to confirm").FillAsync(holder.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save sign-in settings" }).ClickAsync();
        await page.Locator("#signin-saved").WaitForAsync();
        await browser.Smtp.WaitForAsync(holder.Applicant.Email, m => m.Subject == "MySign: your sign-in settings were changed");

        await page.Locator("summary.user-name").ClickAsync();
        await page.Locator("form[action='/logout'] button").First.ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/login");
        await page.Locator("#user_id").FillAsync(holder.UserId);
        await page.Locator("#password").FillAsync(holder.Password);
        await page.Locator("form[action='/login'] button[type=submit]").ClickAsync();
        await page.Locator("form[action='/login/factor'] [data-passkey]").WaitForAsync();
        await page.Locator("form[action='/login/factor'] button[type=submit]").ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/");

        await page.Locator("summary.user-name").ClickAsync();
        await page.Locator("form[action='/logout'] button").First.ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with a passkey" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Use my passkey" }).ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/");
        (await page.Locator("#box-otp .passkey-name").TextContentAsync())!.ShouldBe("Security key");
        (await Holders.SmsToAsync(browser.Store, holder.Applicant.Mobile)).Count(t => t.Text.Contains("sign in")).ShouldBe(0);
        // The two sign-in steps in Italian on a phone pass axe and fit 390 px (axe is injected: this context bypasses CSP).
        var italian = await (await browser.Browser.NewContextAsync(new()
        {
            BaseURL = browser.App.BaseAddress.ToString(), Locale = "it-IT", BypassCSP = true, ViewportSize = new() { Width = 390, Height = 844 },
        })).NewPageAsync();
        await italian.GotoAsync("/login");
        await italian.GetByRole(AriaRole.Button, new() { Name = "Accedi con una passkey" }).ClickAsync();
        await italian.GetByRole(AriaRole.Button, new() { Name = "Usa la mia passkey" }).WaitForAsync();
        var found = new List<string>(await PhoneLayoutTests.Overflows(italian, "it passkey sign-in 390px"));
        found.AddRange(await AccessibilityTests.Violations(italian));
        await italian.GotoAsync("/login");
        await italian.Locator("#user_id").FillAsync(holder.UserId);
        await italian.Locator("#password").FillAsync(holder.Password);
        await italian.Locator("form[action='/login'] button[type=submit]").ClickAsync();
        await italian.Locator("form[action='/login/factor'] [data-passkey]").WaitForAsync();
        found.AddRange(await PhoneLayoutTests.Overflows(italian, "it sign-in factor 390px"));
        found.AddRange(await AccessibilityTests.Violations(italian));
        found.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_holder_registered_at_the_rao_console_signs_a_pdf_with_a_passkey()
    {
        var holder = await browser.ActivatedHolderAsync("Cesare", "M");
        var page = await browser.LocalhostPageAsync();
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
        await AddPasskeyAndMakeItTheModeAsync(page, holder);

        using var files = new OpenSsl();
        using (var built = new Kernel.Documents.SimplePdf())
            files.Write("preventivo.pdf", built.Heading("Preventivo 2026-031").Text("Totale: 980 euro.").Build());
        await page.GotoAsync("/sign");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue", Exact = true }).ClickAsync();
        await page.GetByLabel("Document to sign").SetInputFilesAsync(Path.Combine(files.Folder, "preventivo.pdf"));
        await page.GetByLabel("Signature PIN").FillAsync(holder.Pin);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign and download" }).ClickAsync();
        await page.Locator("#sign-done, #sign-error").First.WaitForAsync();
        (await page.Locator("#sign").TextContentAsync())!.ShouldContain("The signed PDF is ready");
    }

    private async Task AddPasskeyAndMakeItTheModeAsync(IPage page, ActivatedHolder holder)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await page.GetByLabel("Name of the passkey").FillAsync("Laptop");
        await page.GetByLabel("Enter OTP code").WaitForAsync();
        await page.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the passkey" }).ClickAsync();
        await page.Locator("#box-otp .passkey-name", new() { HasText = "Laptop" }).WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm with a passkey instead of OTP codes" }).ClickAsync();
        await page.GetByLabel("Enter OTP code").WaitForAsync();
        await page.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm with passkeys from now on" }).ClickAsync();
        await page.Locator("#box-otp dd", new() { HasText = "Passkey" }).WaitForAsync();
    }

    /// <summary>Presses Tab until a button with this text has the focus, as a keyboard user would.</summary>
    private static async Task TabToButtonAsync(IPage page, string text)
    {
        for (var i = 0; i < 120; i++)
        {
            if (await page.EvaluateAsync<string?>("() => document.activeElement && document.activeElement.tagName === 'BUTTON' ? document.activeElement.textContent.trim() : null") == text) return;
            await page.Keyboard.PressAsync("Tab");
        }
        throw new InvalidOperationException($"The button \"{text}\" cannot be reached with Tab.");
    }


    /// <summary>Lets the page make its assertion, then keeps it instead of sending the form (as a script in the page could).</summary>
    private static async Task<string> CaptureAssertionAsync(IPage page, Func<Task> submit)
    {
        await page.EvaluateAsync("""
            () => window.addEventListener('submit', function keep(e) {
              const code = e.target.querySelector('input[name=code]');
              if (!code || !code.value) return;
              window.capturedAssertion = code.value;
              e.preventDefault();
              e.stopImmediatePropagation();
              window.removeEventListener('submit', keep, true);
            }, true)
            """);
        await submit();
        var handle = await page.WaitForFunctionAsync("() => window.capturedAssertion");
        return await handle.JsonValueAsync<string>();
    }

    /// <summary>Sends the form with a given assertion as its code, past the page's own passkey prompt.</summary>
    private static async Task SubmitWithCodeAsync(IPage page, string form, string assertion)
    {
        await page.EvaluateAsync("""
            ([selector, value]) => {
              const form = document.querySelector(selector);
              form.querySelector('input[name=code]').value = value;
              form.setAttribute('data-passkey-ready', '1');
              form.requestSubmit();
            }
            """, new[] { form, assertion });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}
