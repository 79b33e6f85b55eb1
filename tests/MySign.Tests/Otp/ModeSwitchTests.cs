using MySign.Otp.Contracts;
using MySign.Otp.Domain;

namespace MySign.Tests.Otp;

/// <summary>Leaving the authenticator app for any other factor: confirmed with the app, committed, then told once on the phone.</summary>
[Collection(AppCollection.Name)]
public sealed class ModeSwitchTests(AppFixture app)
{
    public static TheoryData<ReceptionMode> AwayFromTheApp() => new(Enum.GetValues<ReceptionMode>().Where(m => m != ReceptionMode.AuthenticatorApp));

    [Theory]
    [MemberData(nameof(AwayFromTheApp))]
    public async Task a_holder_of_the_app_switches_to_another_factor_and_is_told_once_after_it_committed(ReceptionMode target)
    {
        var holder = await Holders.CreateAsync(app.Store);
        var device = (TotpDevice)await Factors.InstallAsync(app.Store, app.Host.Services, holder.Id, ReceptionMode.AuthenticatorApp);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/");

        PortalClient.Page done;
        switch (target)
        {
            case ReceptionMode.Sms:
            {
                var step = await portal.PostAsync("/otp/sms/start", []);
                done = await portal.PostAsync("/otp/sms/confirm", new() { ["challenge"] = Challenge(step), ["code"] = device.NextCode() });
                break;
            }
            case ReceptionMode.HardwareToken:
            {
                var (serial, token) = await Factors.ProvisionTokenAsync(app.Store, app.Host.Services);
                var step = await portal.PostAsync("/otp/token/start", []);
                done = await portal.PostAsync("/otp/token/confirm", new()
                {
                    ["challenge"] = Challenge(step), ["serial"] = serial, ["token_code"] = token.NextCode(), ["code"] = device.NextCode(), ["destination"] = "",
                });
                break;
            }
            case ReceptionMode.Passkey:
            {
                await Factors.AddPasskeyAsync(app.Store, holder.Id);
                var step = await portal.PostAsync("/otp/passkeys/mode/start", []);
                done = await portal.PostAsync("/otp/passkeys/mode", new() { ["challenge"] = Challenge(step), ["code"] = device.NextCode() });
                break;
            }
            default:
                throw new NotSupportedException($"No way to switch to {target} is known to this test.");
        }

        done.Status.ShouldBe(HttpStatusCode.Redirect, $"app → {target}: {done.Status} {done.Text[..Math.Min(300, done.Text.Length)]}");
        done.Location.ShouldBe("/");
        await using (var session = app.Store.QuerySession())
            (await session.LoadAsync<OtpSettings>(holder.Id))!.Mode.ShouldBe(target);
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        (await Holders.SmsToAsync(app.Store, holder.Phone)).Count(s => s.Text.Contains("the way you receive OTP codes was changed")).ShouldBe(1);
    }

    [Fact]
    public async Task the_sms_code_that_confirms_the_switch_to_the_app_is_sent_again_and_the_scanned_secret_stays()
    {
        var holder = await Holders.CreateAsync(app.Store);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/");
        var step = await portal.PostAsync("/otp/app/start", []);
        var secret = step.Document.QuerySelector("#totp-secret")!.TextContent;
        step.Document.QuerySelector("form[action='/otp/app/resend']").ShouldNotBeNull("the code step offers Send new OTP");

        var tooSoon = await portal.PostAsync("/otp/app/resend", new() { ["challenge"] = Challenge(step) });
        tooSoon.Status.ShouldBe((HttpStatusCode)429);
        tooSoon.Text.ShouldMatch(@"Please wait \d+ seconds before asking for a new OTP\.");
        Challenge(tooSoon).ShouldBe(Challenge(step), "the step stays, for the code already on its way");

        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        var again = await portal.PostAsync("/otp/app/resend", new() { ["challenge"] = Challenge(step) });
        again.Status.ShouldBe(HttpStatusCode.OK);
        again.Document.QuerySelector("#totp-secret")!.TextContent.ShouldBe(secret, "the app already scanned stays valid");
        Challenge(again).ShouldNotBe(Challenge(step));
        var appCode = MySign.Otp.Codes.OneTimeCodes.Totp(MySign.Otp.Codes.Base32.Decode(secret.Replace(" ", "")), DateTimeOffset.UtcNow);
        var done = await portal.PostAsync("/otp/app/confirm", new()
        {
            ["challenge"] = Challenge(again), ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone), ["app_code"] = appCode,
        });
        done.Status.ShouldBe(HttpStatusCode.Redirect);
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<OtpSettings>(holder.Id))!.Mode.ShouldBe(ReceptionMode.AuthenticatorApp);
    }

    [Fact]
    public async Task a_switch_that_does_not_commit_tells_nobody()
    {
        // A wrong app code: nothing changes, so no text says it did.
        var holder = await Holders.CreateAsync(app.Store);
        var device = (TotpDevice)await Factors.InstallAsync(app.Store, app.Host.Services, holder.Id, ReceptionMode.AuthenticatorApp);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/");
        var step = await portal.PostAsync("/otp/sms/start", []);
        var refused = await portal.PostAsync("/otp/sms/confirm", new() { ["challenge"] = Challenge(step), ["code"] = Factors.OffByOne(device.NextCode()) });
        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        (await Holders.SmsToAsync(app.Store, holder.Phone)).ShouldBeEmpty();
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<OtpSettings>(holder.Id))!.Mode.ShouldBe(ReceptionMode.AuthenticatorApp);
    }

    private static string Challenge(PortalClient.Page page) =>
        page.Document.QuerySelector("input[name=challenge]")?.GetAttribute("value") ?? throw new InvalidOperationException($"No challenge on the page ({page.Status}): {page.Text}");
}
