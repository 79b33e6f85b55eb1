namespace MySign.Tests.Accounts;

/// <summary>
/// The holder's sign-in settings: a second factor after the password (their OTP, or their passkey in
/// PasskeyBrowserTests) and sign-in with a passkey alone. Changing them takes the current password and is e-mailed.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SignInFactorTests(AppFixture app)
{
    [Fact]
    public async Task with_the_factor_turned_on_the_password_alone_opens_no_session_and_the_sms_code_completes_the_sign_in()
    {
        var holder = await Holders.CreateAsync(app.Store, "Bruno", "Galli");
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/account");

        // A wrong password changes nothing and keeps what was ticked.
        var wrong = await portal.PostAsync("/account/sign-in", new() { ["factor"] = "on", ["password"] = "not the password" });
        wrong.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        wrong.Document.QuerySelector("#signin-error")!.TextContent.ShouldContain("The current password is not correct");
        wrong.Document.QuerySelector("#signin-factor")!.HasAttribute("checked").ShouldBeTrue();
        wrong.Document.QuerySelector("#signin-password")!.GetAttribute("aria-invalid").ShouldBe("true");

        var saved = await portal.PostAsync("/account/sign-in", new() { ["factor"] = "on", ["password"] = holder.Password });
        saved.Location.ShouldBe("/account?saved=signin#signin-title");
        var mail = await app.Smtp.WaitForAsync(holder.Email, m => m.Subject == "MySign: your sign-in settings were changed");
        mail.TextBody!.ShouldContain("second factor after the password on");
        mail.TextBody!.ShouldContain("/not-me?token=", Case.Insensitive);

        using var later = app.Client();
        await later.GetAsync("/login");
        var step = await later.PostAsync("/login", new() { ["user_id"] = holder.Id, ["password"] = holder.Password });
        step.Status.ShouldBe(HttpStatusCode.OK);
        var pending = step.Document.QuerySelector("input[name=pending]")!.GetAttribute("value")!;
        step.Text.ShouldContain(holder.Phone[^3..]);
        (await later.GetAsync("/")).Location!.ShouldStartWith("/login", Case.Insensitive, "the password alone opened no session");

        var code = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
        (await later.PostAsync("/login/factor", new() { ["pending"] = pending, ["code"] = "00000000" })).Document.QuerySelector("#login-error")!.TextContent
            .ShouldContain("The OTP is not correct");
        (await later.PostAsync("/login/factor", new() { ["pending"] = "someone-elses-" + pending, ["code"] = code })).Document.QuerySelector("#login-error")!.TextContent
            .ShouldContain("This sign-in has expired");
        (await later.PostAsync("/login/factor", new() { ["pending"] = pending, ["code"] = code })).Location.ShouldBe("/");
        (await later.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);
        (await later.PostAsync("/login/factor", new() { ["pending"] = pending, ["code"] = code })).Document.QuerySelector("#login-error")!.TextContent
            .ShouldContain("This sign-in has expired", customMessage: "a pending sign-in completes once");
    }
}
