using MySign.Certificates.Contracts;
using MySign.History.Contracts;
using MySign.Kernel.Mail;
using Microsoft.Extensions.DependencyInjection;
using MySign.Accounts.Mail;
using MySign.Otp.Contracts;

namespace MySign.Tests.Foundation;

/// <summary>Modules talk through Contracts messages; tracked sessions wait for the whole cascade.</summary>
[Collection(AppCollection.Name)]
public sealed class MessagingTests(AppFixture app)
{
    private static async Task<(PortalClient Client, TestHolder Holder)> SignedInNewHolder(AppFixture app)
    {
        var holder = await Holders.CreateAsync(app.Store);
        var client = app.Client();
        (await client.LoginAsync(holder.Id, holder.Password)).Status.ShouldBe(HttpStatusCode.Redirect);
        return (client, holder);
    }

    [Fact]
    public async Task a_certificate_issued_by_certificates_reaches_the_renewal_box()
    {
        var (client, holder) = await SignedInNewHolder(app);
        using var _ = client;
        (await client.GetAsync("/portal/boxes/renewal", htmx: true)).Text.ShouldContain("There is no certificate to renew.");

        var expiry = new DateTimeOffset(2030, 3, 15, 12, 0, 0, TimeSpan.Zero);
        // Published, as Certificates does: Renewal and Otp both keep it.
        await app.Flow().When(new CertificateIssued(holder.Id, Guid.NewGuid(), "IUT-TEST-1", expiry.AddYears(-3), expiry));

        var box = await client.GetAsync("/portal/boxes/renewal", htmx: true);
        box.Text.ShouldContain("15/03/2030");
        box.Text.ShouldContain("Renewal options open on 15/12/2029");
    }

    [Fact]
    public async Task signatures_made_move_the_counters_and_fill_the_history_box()
    {
        var (client, holder) = await SignedInNewHolder(app);
        using var _ = client;
        var now = DateTimeOffset.UtcNow;
        var first = new SignatureMade(Guid.NewGuid(), holder.Id, Guid.NewGuid(), now, "Contract.pdf", "SHA-256", true, SignatureChannel.Api);
        var flow = await app.Flow().Given(first, new SignatureMade(Guid.NewGuid(), holder.Id, Guid.NewGuid(), now.AddDays(-10), "Old.pdf", "SHA-256", true, SignatureChannel.Portal));

        // The same signature delivered twice is filed once.
        await flow.When(first);

        var counters = (await client.GetAsync("/portal/boxes/counters", htmx: true)).Document;
        counters.QuerySelectorAll("dd").Select(d => d.TextContent).ShouldBe(["1", "2"]);
        var history = await client.GetAsync("/portal/boxes/history", htmx: true);
        history.Document.QuerySelectorAll("tbody tr").Length.ShouldBe(2);
        history.Text.ShouldContain("Contract.pdf");
    }

    [Fact]
    public async Task an_otp_factor_changed_in_otp_is_told_to_the_holder_by_accounts_with_a_this_was_not_me_link()
    {
        var holder = await Holders.CreateAsync(app.Store);

        var flow = await app.Flow().When(new OtpFactorChanged(holder.Id, "phone", DateTimeOffset.UtcNow, "en"));

        var mail = flow.ThenPublished<OtpChangedMail>();
        mail.HolderId.ShouldBe(holder.Id);
        mail.Language.ShouldBe("en");
        var arrived = await app.Smtp.WaitForAsync(holder.Email);
        arrived.TextBody!.ShouldContain("/not-me?token=");
    }

    [Fact]
    public async Task mail_sent_by_the_portal_arrives_at_a_real_smtp_server()
    {
        var sender = app.Host.Services.GetRequiredService<MailSender>();
        var to = $"holder-{Guid.NewGuid():N}@example.test";
        await sender.SendAsync(new OutgoingMail(to, "Benvenuto in MySign", "Il tuo User ID è <m000001>.", "it", "Ilaria"));
        var mail = await app.Smtp.WaitForAsync(to);
        mail.Subject.ShouldBe("Benvenuto in MySign");
        mail.TextBody!.ShouldContain("Il tuo User ID è <m000001>.");
        // The body is text: the layout escapes it.
        new AngleSharp.Html.Parser.HtmlParser().ParseDocument(mail.HtmlBody!).QuerySelector(".mail-body")!.TextContent.ShouldContain("Il tuo User ID è <m000001>.");
    }
}
