using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MySign.Kernel.Web;

namespace MySign.Tests.Browser;

/// <summary>A keyboard-only holder: Tab, typing and Enter, never the mouse, from sign-in to a PIN change confirmed by OTP.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class KeyboardTests(BrowserFixture browser)
{
    [GeneratedRegex(@"/activate\?token=[A-Za-z0-9_-]+")]
    private static partial Regex ActivationLink();

    /// <summary>A holder with a certificate, made the real way over HTTP: RAO registration, then activation.</summary>
    private async Task<(string UserId, string Password, string Pin, string Mobile)> ActivatedHolder()
    {
        using var rao = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, browser.App.BaseAddress);
        await rao.GetAsync("/rao/login");
        var otp = await rao.PostAsync("/rao/login", new() { ["username"] = Demo.RaoUsername, ["password"] = Demo.RaoPassword });
        var pending = otp.Document.QuerySelector("input[name=pending]")!.GetAttribute("value")!;
        await rao.PostAsync("/rao/login/otp", new() { ["pending"] = pending, ["code"] = await Holders.LastSmsCodeAsync(browser.Store, Demo.RaoMobile) });
        await rao.GetAsync("/rao/holders/new");
        var applicant = Applicant.New("Tommaso", "M");
        var saved = await rao.PostAsync("/rao/holders", applicant.Form());
        var userId = saved.Location!.Split('/')[3].Split('?')[0];
        var mail = await browser.Smtp.WaitForAsync(applicant.Email, m => m.Subject == "MySign: your User ID and the activation link");

        using var holder = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, browser.App.BaseAddress);
        var form = await holder.GetAsync(ActivationLink().Match(mail.TextBody!).Value);
        var token = form.Document.QuerySelector("input[name=token]")!.GetAttribute("value")!;
        const string password = "tommaso's keyboard passphrase", pin = "38472916";
        await holder.PostAsync("/activate", new() { ["token"] = token, ["password"] = password, ["password_confirm"] = password, ["pin"] = pin, ["pin_confirm"] = pin });
        (await holder.PostAsync("/activate/confirm", new() { ["token"] = token, ["code"] = await Holders.LastSmsCodeAsync(browser.Store, applicant.Mobile) })).Location.ShouldBe("/");
        return (userId, password, pin, applicant.Mobile);
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
        var (userId, password, pin, mobile) = await ActivatedHolder();
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
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'pin-current'");
        await page.Keyboard.TypeAsync(pin);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("51739264");
        await TabTo(page, "pin-confirm");
        await page.Keyboard.TypeAsync("51739264");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.id === 'pin-code'");
        await page.Keyboard.TypeAsync(await Holders.LastSmsCodeAsync(browser.Store, mobile));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#box-pin [role=status]").WaitForAsync();
        (await page.Locator("#box-pin [role=status]").TextContentAsync())!.ShouldNotBeNullOrWhiteSpace();
    }
}
