using MySign.Dev;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MySign.Otp.Codes;

namespace MySign.Tests.Browser;

/// <summary>
/// A holder switches from SMS to an authenticator app without scanning anything: the "app" is Otp.NET
/// fed with the key shown on the enrolment page. Then a later OTP flow is confirmed with a TOTP code.
/// SMS codes are read where a person trying the portal reads them: /dev/outbox.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class OtpBrowserTests(BrowserFixture browser)
{
    [GeneratedRegex(@"\b\d{8}\b")]
    private static partial Regex EightDigits();

    private static async Task<string> LastSmsCode(IPage page, string phone)
    {
        var outbox = await page.Context.NewPageAsync();
        await outbox.GotoAsync("/dev/outbox");
        var sms = outbox.Locator("article.outbox-mail").Filter(new() { HasText = phone }).Filter(new() { HasText = "SMS" }).First;
        var code = EightDigits().Match(await sms.Locator("pre").TextContentAsync() ?? "").Value;
        await outbox.CloseAsync();
        code.Length.ShouldBe(8);
        return code;
    }

    [Fact]
    public void the_portal_started_as_make_run_starts_it_prints_the_demo_sign_ins_not_the_framework_command_scan()
    {
        browser.App.Output.ShouldContain($"demo holder: {Demo.HolderUserId} / {Demo.HolderPassword}");
        browser.App.Output.ShouldContain(Demo.TokenSerial);
        // JasperFx's scan names each assembly it searches ("Searching 'MySign.Web, Version=…' for commands"): only for an operator command.
        browser.App.Output.ShouldNotContain("for commands");
        browser.App.Output.ShouldNotContain(", Version=");
    }

    [Fact]
    public async Task a_holder_enrols_an_authenticator_app_and_confirms_a_phone_change_with_it()
    {
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, Demo.HolderUserId, Demo.HolderPassword);
        await BrowserFixture.ArrivedAtAsync(page, "/");

        // Enrol: htmx swaps the enrolment form into the OTP box.
        await page.GetByRole(AriaRole.Button, new() { Name = "Use an authenticator app" }).ClickAsync();
        var key = (await page.Locator("#totp-secret").TextContentAsync())!.Replace(" ", "");
        (await page.Locator("#box-otp img").GetAttributeAsync("src"))!.ShouldStartWith("data:image/png;base64,");
        new Uri(page.Url).AbsolutePath.ShouldBe("/", "the form came into the box, the page did not change");
        var app = new OtpNet.Totp(Base32.Decode(key));
        await page.GetByLabel("Enter OTP code").FillAsync(await LastSmsCode(page, Demo.HolderMobile));
        await page.GetByLabel("Code shown by the app").FillAsync(app.ComputeTotp(DateTime.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await page.Locator("#box-otp dd", new() { HasText = "Authenticator app" }).WaitForAsync();

        // A later OTP flow, confirmed by the app: change the OTP phone. The enrolment used the current
        // time step, so the app's next code (within the allowed skew) is the one to type.
        await page.GetByRole(AriaRole.Link, new() { Name = "Change the OTP phone" }).ClickAsync();
        await page.GetByLabel("New mobile number, with country code").FillAsync("+39 347 765 4321");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await page.GetByText("Enter the 6-digit code your authenticator app shows now.").WaitForAsync();
        await page.GetByLabel("OTP code").FillAsync(app.ComputeTotp(DateTime.UtcNow.AddSeconds(30)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await page.GetByText("Now enter the OTP sent to the new number").WaitForAsync();
        await page.GetByLabel("OTP code").FillAsync(await LastSmsCode(page, "+393477654321"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirmation" }).ClickAsync();
        await page.Locator("#box-otp dd", new() { HasText = "321" }).WaitForAsync();
    }
}
