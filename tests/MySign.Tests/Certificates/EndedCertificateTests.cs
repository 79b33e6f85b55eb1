using Marten;
using MySign.Certificates.Contracts;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>
/// A revoked or expired certificate has nothing left to confirm, suspend or renew: the home page's boxes say so and offer
/// nothing else (no emergency code, no OTP changes, no days left), and the doors behind those offers refuse too.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EndedCertificateTests(AppFixture app)
{
    private const string Pin = "52719364";

    public static TheoryData<string> Ends() => new("revoked", "expired");

    [Theory]
    [MemberData(nameof(Ends))]
    public async Task an_ended_certificate_offers_no_emergency_code_no_otp_changes_no_pin_change_and_no_days_left(string end)
    {
        var holder = await Holders.CreateAsync(app.Store, "Ugo", "Serra");
        // Expired: the run's CA is minutes old and no certificate starts before its issuer, so it lived for the last minutes.
        var (validFrom, notAfter) = end == "expired" ? (DateTimeOffset.UtcNow.AddMinutes(-3), DateTimeOffset.UtcNow.AddSeconds(-30)) : ((DateTimeOffset?)null, (DateTimeOffset?)null);
        await app.Host.ExecuteAndWaitAsync(m => m.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Ugo", "Serra", "SRRUGO80A01H501X", Pin,
            ValidFrom: validFrom, NotAfter: notAfter)));
        await Factors.AddPasskeyAsync(app.Store, holder.Id);
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/");
        if (end == "revoked")
        {
            await portal.GetAsync("/certificate/revoke");
            var otp = await portal.PostAsync("/certificate/revoke", new() { ["reason"] = "keyCompromise", ["pin"] = Pin, ["understood"] = "yes" });
            var confirm = Journeys.ConfirmForm(otp).GetAttribute("action")!;
            await app.Host.ExecuteAndWaitAsync(async () =>
                (await portal.PostAsync(confirm, new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) })).Status.ShouldBe(HttpStatusCode.OK));
        }
        await AppClock.MessagesSettledAsync(app.ConnectionString);

        var home = (await portal.GetAsync("/")).Document;
        home.QuerySelector("#box-suspension")!.TextContent.ShouldNotContain("emergency code", Case.Insensitive, customMessage: "no emergency code to make or keep");
        home.QuerySelector("#box-suspension form[action='/certificate/emergency-code']").ShouldBeNull();
        home.QuerySelector("#box-pin a#pin-change-link").ShouldBeNull("no PIN to change");
        home.QuerySelector("#box-renewal #renewal-days-left").ShouldBeNull("no days left");
        home.QuerySelector("#box-renewal")!.TextContent.ShouldNotContain("1095");
        var otpBox = home.QuerySelector("#box-otp")!;
        otpBox.QuerySelectorAll("form").ShouldBeEmpty("no OTP mode, passkey or phone change");
        otpBox.QuerySelector("a[href='/otp/phone']").ShouldBeNull();
        otpBox.QuerySelector("#otp-closed")!.TextContent.ShouldContain(end == "revoked" ? "revoked" : "expired");

        // The doors behind the offers refuse as well, and nothing changes.
        (await portal.PostAsync("/certificate/emergency-code", new() { ["pin"] = Pin })).Status.ShouldBe(HttpStatusCode.NotFound);
        (await portal.PostAsync("/pin", new() { ["current"] = Pin, ["new"] = "97531864", ["confirm"] = "97531864" })).Status.ShouldBe(HttpStatusCode.NotFound);
        foreach (var door in new[] { "/otp/app/start", "/otp/token/start", "/otp/passkeys/mode/start", "/otp/passkeys/add/start", "/otp/phone" })
            (await portal.PostAsync(door, new() { ["phone"] = "+39 347 765 4321" })).Location.ShouldBe("/", door);
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<OtpSettings>(holder.Id))!.Mode.ShouldBe(ReceptionMode.Sms);
    }
}
