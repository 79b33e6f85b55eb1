using Marten;
using MySign.Accounts.Contracts;
using MySign.Kernel.Localization;
using MySign.Renewal.Domain;

namespace MySign.Renewal.Reminders;

/// <summary>The sweep that finds reminders due; Wolverine runs it on a schedule, once per cluster however many nodes.</summary>
public sealed record SendReminders;

public enum ReminderStage { Days90, Days30, Days7, Expired }

/// <summary>
/// A reminder already sent, so none is sent twice: Id is "{certificate}:{stage}" or "renewal:{id}". Inserted in the same
/// transaction as the mail's message (Wolverine's outbox): two sweeps racing cannot both commit it.
/// </summary>
public sealed class ReminderSent
{
    public string Id { get; set; } = "";
    public string HolderId { get; set; } = "";
    public DateTimeOffset SentAt { get; set; }
}

/// <summary>
/// Expiry reminders 90, 30 and 7 days before the end and the day after, each once per certificate (a certificate that
/// reaches the sweep late gets only the stage it is in), and one reminder for a renewal left unpaid for 7 days. Only an
/// active certificate is reminded: a renewed one has a new, later end; a suspended or revoked one is not renewed. The
/// mail is written here in both languages with the link to the renewal; Accounts sends it in the holder's language, or
/// not at all if the holder turned reminders off.
/// </summary>
public static class SendRemindersHandler
{
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(14);

    public static ReminderStage? Due(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var left = expiresAt - now;
        if (left > TimeSpan.FromDays(90)) return null;
        if (left > TimeSpan.FromDays(30)) return ReminderStage.Days90;
        if (left > TimeSpan.FromDays(7)) return ReminderStage.Days30;
        if (left > TimeSpan.Zero) return ReminderStage.Days7;
        return -left >= TimeSpan.FromDays(1) && -left < LookBack ? ReminderStage.Expired : null;
    }

    public static async Task<IEnumerable<object>> Handle(SendReminders _, IDocumentSession session, Kernel.Web.PortalUrl portal, TimeProvider clock,
        CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var from = now - LookBack;
        var until = now + TimeSpan.FromDays(90);
        var certificates = await session.Query<RenewableCertificate>()
            .Where(c => c.Status == "active" && c.ExpiresAt > from && c.ExpiresAt <= until).ToListAsync(cancellation);
        var due = certificates.Select(c => (Certificate: c, Stage: Due(c.ExpiresAt, now))).Where(d => d.Stage is not null)
            .Select(d => (d.Certificate, Stage: d.Stage!.Value, Id: $"{d.Certificate.CertificateId}:{d.Stage}")).ToList();
        var unpaid = await session.Query<RenewalRequest>()
            .Where(r => r.Step == RenewalStep.Payment && r.OrderId != null && r.CreatedAt < now.AddDays(-7) && r.CreatedAt > now.AddDays(-60)).ToListAsync(cancellation);
        var ids = due.Select(d => d.Id).Concat(unpaid.Select(r => $"renewal:{r.Id}")).ToArray();
        var sent = (await session.LoadManyAsync<ReminderSent>(cancellation, ids)).Select(s => s.Id).ToHashSet();

        var messages = new List<object>();
        var link = portal.For("/renewal");
        foreach (var (certificate, stage, id) in due.Where(d => !sent.Contains(d.Id)))
        {
            session.Insert(new ReminderSent { Id = id, HolderId = certificate.Id, SentAt = now });
            var key = "renewal.reminder." + stage.ToString().ToLowerInvariant();
            messages.Add(Reminder(certificate.Id, key, link, certificate.UniqueIdentifier, certificate.ExpiresAt));
        }
        foreach (var renewal in unpaid.Where(r => !sent.Contains($"renewal:{r.Id}")))
        {
            session.Insert(new ReminderSent { Id = $"renewal:{renewal.Id}", HolderId = renewal.HolderId, SentAt = now });
            messages.Add(Reminder(renewal.HolderId, "renewal.reminder.unpaid", portal.For($"/renewal/{renewal.Id}"), renewal.UniqueIdentifier, renewal.ExpiresAt));
        }
        return messages;
    }

    /// <summary>The reminder <paramref name="key"/> (renewal.reminder.{stage}) for a holder, in both languages, linking to <paramref name="link"/>.</summary>
    public static RemindHolder Reminder(string holder, string key, string link, string iut, DateTimeOffset expiresAt)
    {
        string Text(string language) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T(key + ".body", language), iut,
            TimeZoneInfo.ConvertTime(expiresAt, RenewalWindow.Zone).ToString("d", System.Globalization.CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB")), link);
        string Sms(string language) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.T(key + ".sms", language),
            TimeZoneInfo.ConvertTime(expiresAt, RenewalWindow.Zone).ToString("d", System.Globalization.CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB")), link);
        return new RemindHolder(holder, Strings.T(key + ".subject", "en"), Text("en"), Strings.T(key + ".subject", "it"), Text("it"), Sms("en"), Sms("it"));
    }
}
