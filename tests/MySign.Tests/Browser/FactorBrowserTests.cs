using System.Security.Cryptography;
using Microsoft.Playwright;
using MySign.Otp.Contracts;

namespace MySign.Tests.Browser;

/// <summary>
/// One story per reception mode, in Chromium: a holder registered at the RAO console chooses the factor in the OTP box as
/// a person would (an app scanned from the page's key, a token the TSP imported with its command, a passkey made by the
/// browser's authenticator), then changes the signature PIN confirmed with it. The step says where the code is and
/// offers "Send new OTP" only where a code is sent. The rows are the product's reception modes.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FactorBrowserTests(BrowserFixture browser)
{
    public static TheoryData<ReceptionMode> Modes() => new(Enum.GetValues<ReceptionMode>());

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task a_holder_chooses_the_factor_in_the_otp_box_and_confirms_a_pin_change_with_it(ReceptionMode mode)
    {
        var holder = await browser.ActivatedHolderAsync("Ilaria", "F");
        var page = await browser.LocalhostPageAsync();
        await BrowserFixture.SignInHolderAsync(page, holder.UserId, holder.Password);
        var sms = () => Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile);
        Func<Task<string>> answer = sms;

        switch (mode)
        {
            case ReceptionMode.Sms:
                break;
            case ReceptionMode.AuthenticatorApp:
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Use an authenticator app" }).ClickAsync();
                var key = (await page.Locator("#totp-secret").TextContentAsync())!.Replace(" ", "");
                var app = new TotpDevice(mode, MySign.Otp.Codes.Base32.Decode(key));
                await page.GetByLabel("Enter OTP code").FillAsync(await sms());
                await page.GetByLabel("Code shown by the app").FillAsync(app.NextCode());
                await page.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
                answer = () => Task.FromResult(app.NextCode());
                break;
            }
            case ReceptionMode.HardwareToken:
            {
                // The TSP imports the supplier's file with its command; the holder takes the token with its serial and a code.
                var seed = RandomNumberGenerator.GetBytes(20);
                var serial = "TKB" + Random.Shared.Next(1_000_000, 9_999_999);
                using var files = new OpenSsl();
                var csv = files.Write("tokens.csv", System.Text.Encoding.ASCII.GetBytes($"serial,seed\n{serial},{Convert.ToHexString(seed)}\n"));
                var (exit, output) = await browser.App.RunAsync("otp-import-tokens", csv);
                exit.ShouldBe(0, output);
                var token = new TotpDevice(mode, seed);
                await page.GetByRole(AriaRole.Button, new() { Name = "Use a hardware token" }).ClickAsync();
                await page.GetByLabel("Token serial number").FillAsync(serial);
                await page.GetByLabel("Code shown by the token").FillAsync(token.NextCode());
                await page.GetByLabel("Enter OTP code").FillAsync(await sms());
                await page.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
                answer = () => Task.FromResult(token.NextCode());
                break;
            }
            case ReceptionMode.Passkey:
                await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
                await page.GetByRole(AriaRole.Button, new() { Name = "Create the passkey" }).WaitForAsync();
                await page.GetByLabel("Name of the passkey").FillAsync("Laptop");
                await page.GetByLabel("Enter OTP code").FillAsync(await sms());
                await page.GetByRole(AriaRole.Button, new() { Name = "Create the passkey" }).ClickAsync();
                await page.Locator("#box-otp .passkey-name").WaitForAsync();
                await page.GetByRole(AriaRole.Button, new() { Name = "Confirm with a passkey instead of OTP codes" }).ClickAsync();
                await page.GetByRole(AriaRole.Button, new() { Name = "Confirm with passkeys from now on" }).WaitForAsync();
                await page.GetByLabel("Enter OTP code").FillAsync(await sms());
                await page.GetByRole(AriaRole.Button, new() { Name = "Confirm with passkeys from now on" }).ClickAsync();
                answer = () => Task.FromResult("");
                break;
            default:
                throw new ShouldAssertException($"No browser story knows how a holder chooses {mode}: add it here.");
        }
        var word = mode switch
        {
            ReceptionMode.Sms => "SMS", ReceptionMode.AuthenticatorApp => "Authenticator app", ReceptionMode.HardwareToken => "Hardware token", _ => "Passkey",
        };
        await page.Locator("#box-otp dd", new() { HasText = word }).WaitForAsync();

        // The PIN change, confirmed with the factor.
        await page.Locator("#pin-change-link").ClickAsync();
        await page.Locator("#pin-current").FillAsync(holder.Pin);
        await page.Locator("#pin-new").FillAsync("51739264");
        await page.Locator("#pin-confirm").FillAsync("51739264");
        await page.Locator("form[action='/pin'] button[type=submit]").ClickAsync();
        await page.Locator("form[action='/pin/confirm']").WaitForAsync();
        var step = (await page.Locator("#box-pin").InnerTextAsync()).ReplaceLineEndings(" ");
        var resend = await page.GetByRole(AriaRole.Button, new() { Name = "Send new OTP" }).CountAsync();
        switch (mode)
        {
            case ReceptionMode.Sms:
                step.ShouldContain("we sent by SMS to", Case.Insensitive);
                resend.ShouldBe(1);
                break;
            case ReceptionMode.AuthenticatorApp:
                step.ShouldContain("the 6-digit code your authenticator app shows now");
                break;
            case ReceptionMode.HardwareToken:
                step.ShouldContain("the 6-digit code your hardware token shows now");
                break;
            default:
                step.ShouldContain("your browser asks for your passkey");
                break;
        }
        if (mode != ReceptionMode.Sms)
        {
            resend.ShouldBe(0, $"{mode}: nothing to send again");
            step.ShouldNotContain("sent", Case.Insensitive);
        }
        if (mode != ReceptionMode.Passkey) await page.GetByLabel("Enter OTP code").FillAsync(await answer());
        await page.Locator("form[action='/pin/confirm'] button[type=submit]").ClickAsync();
        // The step's own instruction is a status too: wait for the answer to replace it.
        var done = page.Locator("#box-pin [role=status]", new() { HasText = "Your signature PIN was changed" });
        await done.Or(page.Locator("#box-pin .error")).First.WaitForAsync();
        (await page.Locator("#box-pin").InnerTextAsync()).ShouldContain("Your signature PIN was changed", customMessage: $"{mode}: the right code changes the PIN");
    }
}
