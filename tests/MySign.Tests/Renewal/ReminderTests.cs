using Marten;
using MySign.Renewal.Domain;

namespace MySign.Tests.Renewal;

/// <summary>
/// Expiry reminders on two nodes sharing one database, the sweep every two seconds on both: as a certificate's end comes
/// nearer (moved, as time would move it) the holder gets the 90-, 30- and 7-day mails and the one the day after, each
/// exactly once, in the language of their last sign-in, linking to the renewal. None for a renewed, a suspended or an
/// opted-out holder; one for a renewal left unpaid a week.
/// </summary>
[Trait("Shake", "concurrency")]
public sealed class ReminderTests : IAsyncLifetime
{
    private readonly TwoNodes _nodes = new();
    private SmtpServer Smtp => _nodes.Smtp;
    private IDocumentStore Store => _nodes.Store;

    public Task InitializeAsync() => _nodes.StartAsync(new Dictionary<string, string>
    {
        ["Renewal__ReminderCron"] = "*/2 * * * * *", ["Wolverine__ScheduledJobPollingTime"] = "00:00:01",
        ["Wolverine__HealthCheckPollingTime"] = "00:00:01", ["Wolverine__CheckAssignmentPeriod"] = "00:00:02",
    });

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private async Task<TestHolder> HolderAsync(string language = "en", bool remindersOff = false)
    {
        var holder = await Holders.CreateAsync(Store, "Sara", "Neri");
        await using var session = Store.LightweightSession();
        var account = (await session.LoadAsync<MySign.Accounts.Domain.HolderAccount>(holder.Id))!;
        account.Language = language;
        account.RemindersOff = remindersOff;
        session.Store(account);
        await session.SaveChangesAsync();
        return holder;
    }

    /// <summary>What Renewal knows of the holder's certificate, ending <paramref name="days"/> from now (negative: already ended).</summary>
    private async Task EndsInAsync(TestHolder holder, double days, string status = "active", Guid? certificate = null)
    {
        await using var session = Store.LightweightSession();
        var known = await session.LoadAsync<RenewableCertificate>(holder.Id) ?? new RenewableCertificate
        {
            Id = holder.Id, CertificateId = certificate ?? Guid.NewGuid(), UniqueIdentifier = "TINIT-REMINDER" + holder.Id, IssuedAt = DateTimeOffset.UtcNow.AddYears(-3),
        };
        if (certificate is { } renewed) { known.CertificateId = renewed; known.IssuedAt = DateTimeOffset.UtcNow; }
        known.ExpiresAt = DateTimeOffset.UtcNow.AddDays(days);
        known.Status = status;
        session.Store(known);
        await session.SaveChangesAsync();
    }

    private int MailsTo(TestHolder holder, string subject) =>
        Smtp.Messages().Count(m => m.To.ToString().Contains(holder.Email) && (m.Subject ?? "").Contains(subject, StringComparison.Ordinal));

    /// <summary>Waits for the mail, then lets several more sweeps run on both nodes and counts: exactly one.</summary>
    private async Task ExactlyOneAsync(TestHolder holder, string subject)
    {
        var mail = await Smtp.WaitForAsync(holder.Email, m => (m.Subject ?? "").Contains(subject, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        mail.TextBody!.ShouldContain("/renewal", customMessage: "the mail links to the renewal");
        await Task.Delay(TimeSpan.FromSeconds(7));
        MailsTo(holder, subject).ShouldBe(1, subject);
    }

    [Fact]
    public async Task each_reminder_arrives_once_in_the_holders_language_and_none_after_renewal_suspension_or_opting_out()
    {
        var sara = await HolderAsync();
        var luca = await HolderAsync("it");
        var renewed = await HolderAsync();
        var suspended = await HolderAsync();
        var optedOut = await HolderAsync(remindersOff: true);

        await EndsInAsync(sara, 80);
        await EndsInAsync(luca, 80);
        await EndsInAsync(renewed, 80);
        await EndsInAsync(suspended, 20, "suspended");
        await EndsInAsync(optedOut, 20);
        await ExactlyOneAsync(sara, "expires in less than three months");
        await ExactlyOneAsync(luca, "scade tra meno di tre mesi");
        await ExactlyOneAsync(renewed, "expires in less than three months");

        // The renewed holder's new certificate ends in three years: nothing more for them, whatever follows.
        await EndsInAsync(renewed, 3 * 365, certificate: Guid.NewGuid());
        await EndsInAsync(sara, 20);
        await ExactlyOneAsync(sara, "expires in less than a month");
        await EndsInAsync(sara, 5);
        await ExactlyOneAsync(sara, "expires in a few days");
        await EndsInAsync(sara, -1.5);
        await ExactlyOneAsync(sara, "has expired");
        (await Smtp.WaitForAsync(sara.Email, m => (m.Subject ?? "").Contains("has expired"))).TextBody!.ShouldContain("/renewal");

        // A renewal started eight days ago and still waiting for its payment: one reminder, with the link to that renewal.
        var waiting = await HolderAsync();
        var renewal = Guid.NewGuid();
        await using (var session = Store.LightweightSession())
        {
            session.Store(new RenewalRequest
            {
                Id = renewal, HolderId = waiting.Id, Path = RenewalPaths.Store, Step = RenewalStep.Payment, OrderId = Guid.NewGuid(), UniqueIdentifier = "TINIT-WAITING",
                ExpiresAt = DateTimeOffset.UtcNow.AddDays(20), CreatedAt = DateTimeOffset.UtcNow.AddDays(-8),
            });
            await session.SaveChangesAsync();
        }
        await ExactlyOneAsync(waiting, "waiting for payment");
        (await Smtp.WaitForAsync(waiting.Email)).TextBody!.ShouldContain($"/renewal/{renewal}");

        Smtp.Messages().Count(m => m.To.ToString().Contains(renewed.Email)).ShouldBe(1, "only the 90-day mail, before the renewal");
        Smtp.Messages().ShouldNotContain(m => m.To.ToString().Contains(suspended.Email), "a suspended certificate is not reminded");
        Smtp.Messages().ShouldNotContain(m => m.To.ToString().Contains(optedOut.Email), "the holder turned reminders off");
        MailsTo(sara, "MySign").ShouldBe(4);
        // Sara receives OTPs by SMS: each reminder came as a text too, and the opted-out holder got none.
        (await Holders.SmsToAsync(Store, sara.Phone)).Count(s => s.Text.Contains("signature certificate")).ShouldBe(4);
        (await Holders.SmsToAsync(Store, optedOut.Phone)).ShouldBeEmpty();
    }
}
