using Marten;
using MySign.Certificates.Domain;

namespace MySign.Tests.Rao;

/// <summary>
/// The RAO console shows each owner's current facts about a holder, not what was copied at registration: the
/// certificate's state and IUT (Certificates), the OTP phone (Otp), and every operation on the certificate in the list.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class RaoHolderFactsTests(AppFixture app)
{
    [Fact]
    public async Task the_holder_page_follows_the_certificate_and_the_otp_phone_through_a_holders_life()
    {
        var holder = await Journeys.RegisteredAsync(app, "Bruno", "M");
        using var rao = app.Client();
        await Operators.SignInAsync(rao, app.Store, holder.RegisteredBy);

        await Journeys.ChangeStatusAsync(app, holder, "suspend");
        await Journeys.ChangeStatusAsync(app, holder, "reactivate");
        await Journeys.EmergencySuspendAsync(app, holder);
        await Journeys.ChangeStatusAsync(app, holder, "reactivate");
        var newPhone = "+39 347 " + Random.Shared.Next(1_000_000, 9_999_999);
        await Journeys.ChangePhoneAsync(app, holder, newPhone);
        await Journeys.RekeyAsync(app, holder);
        await Journeys.BlockPinAsync(holder);
        await Journeys.DeskAsync(app, holder, "unblock_pin");
        await Journeys.ChangeStatusAsync(app, holder, "revoke");

        HolderCertificate current;
        await using (var session = app.Store.QuerySession()) current = (await session.LoadAsync<HolderCertificate>(holder.UserId))!;
        var page = (await rao.GetAsync($"/rao/holders/{holder.UserId}")).Document;
        page.QuerySelector("#holder-certificate-status")!.TextContent.ShouldContain("Revoked");
        page.QuerySelector("#holder-iut")!.TextContent.Trim().ShouldBe(current.UniqueIdentifier, "the IUT of the certificate after the re-key");
        page.QuerySelector("#holder-otp-phone")!.TextContent.ShouldEndWith(newPhone[^3..]);
        var operations = page.QuerySelectorAll(".trail li").Select(li => li.TextContent).ToList();
        foreach (var expected in new[]
                 {
                     "Certificate suspended — by the holder in the portal", "Certificate suspended — with the emergency code", "Certificate reactivated",
                     "PIN blocked", "New certificate under a new PIN", "Certificate revoked",
                 })
            operations.ShouldContain(o => o.Contains(expected), $"the operations list names \"{expected}\":\n{string.Join("\n", operations)}");

        var list = (await rao.GetAsync("/rao")).Document;
        list.QuerySelector($"a[href='/rao/holders/{holder.UserId}']")!.Closest("tr")!.TextContent.ShouldContain("Revoked");
    }
}
