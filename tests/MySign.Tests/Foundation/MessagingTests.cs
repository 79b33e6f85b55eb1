using MySign.Billing.Contracts;
using MySign.Certificates.Contracts;
using MySign.History.Contracts;
using MySign.Kernel.Mail;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Foundation;

/// <summary>Modules talk through Contracts messages; tracked sessions wait for the whole cascade.</summary>
[Collection(AppCollection.Name)]
public sealed class MessagingTests(AppFixture app)
{
    private static async Task<PortalClient> SignedInNewHolder(AppFixture app, string id)
    {
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new MySign.Accounts.Domain.HolderAccount
            {
                Id = id, FirstName = "Anna", LastName = "Verdi", PasswordHash = MySign.Accounts.Domain.Passwords.Hash("a-long-password-1234"),
            });
            await session.SaveChangesAsync();
        }
        var client = app.Client();
        (await client.LoginAsync(id, "a-long-password-1234")).Status.ShouldBe(HttpStatusCode.Redirect);
        return client;
    }

    [Fact]
    public async Task a_certificate_issued_by_certificates_reaches_the_renewal_box()
    {
        var id = "r" + Random.Shared.Next(100000, 999999);
        using var client = await SignedInNewHolder(app, id);
        (await client.GetAsync("/portal/boxes/renewal", htmx: true)).Text.ShouldContain("There is no certificate to renew.");

        var expiry = new DateTimeOffset(2030, 3, 15, 12, 0, 0, TimeSpan.Zero);
        await app.Host.ExecuteAndWaitAsync(c => c.PublishAsync(new CertificateIssued(id, Guid.NewGuid(), "IUT-TEST-1", expiry.AddYears(-3), expiry)).AsTask()); // published, as Certificates does: Renewal and Otp both keep it

        var box = await client.GetAsync("/portal/boxes/renewal", htmx: true);
        box.Text.ShouldContain("15/03/2030");
        box.Text.ShouldContain("Renewal options open on 15/12/2029");
    }

    [Fact]
    public async Task signatures_made_move_the_counters_and_fill_the_history_box()
    {
        var id = "s" + Random.Shared.Next(100000, 999999);
        using var client = await SignedInNewHolder(app, id);
        var now = DateTimeOffset.UtcNow;
        var first = Guid.NewGuid();
        await app.Host.InvokeMessageAndWaitAsync(new SignatureMade(first, id, Guid.NewGuid(), now, "Contract.pdf", "SHA-256", true, SignatureChannel.Api));
        await app.Host.InvokeMessageAndWaitAsync(new SignatureMade(Guid.NewGuid(), id, Guid.NewGuid(), now.AddDays(-10), "Old.pdf", "SHA-256", true, SignatureChannel.Portal));
        // The same signature delivered twice is filed once.
        await app.Host.InvokeMessageAndWaitAsync(new SignatureMade(first, id, Guid.NewGuid(), now, "Contract.pdf", "SHA-256", true, SignatureChannel.Api));

        var counters = (await client.GetAsync("/portal/boxes/counters", htmx: true)).Document;
        counters.QuerySelectorAll("dd").Select(d => d.TextContent).ShouldBe(["1", "2"]);
        var history = await client.GetAsync("/portal/boxes/history", htmx: true);
        history.Document.QuerySelectorAll("tbody tr").Length.ShouldBe(2);
        history.Text.ShouldContain("Contract.pdf");
    }

    [Fact]
    public async Task mail_sent_by_the_portal_arrives_at_a_real_smtp_server()
    {
        var sender = app.Host.Services.GetRequiredService<MailSender>();
        var to = $"holder-{Guid.NewGuid():N}@example.test";
        await sender.SendAsync(new OutgoingMail(to, "Benvenuto in MySign", "Il tuo User ID è m000001.", "<p>Il tuo User ID è <b>m000001</b>.</p>"));
        var mail = await app.Smtp.WaitForAsync(to);
        mail.Subject.ShouldBe("Benvenuto in MySign");
        mail.TextBody!.ShouldContain("m000001");
        mail.HtmlBody!.ShouldContain("<b>m000001</b>");
    }
}
