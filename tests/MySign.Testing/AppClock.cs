using Marten;

namespace MySign.Testing;

/// <summary>Moving a running app's world forward, as time would: certificates near their end, queues drained.</summary>
public static class AppClock
{
    /// <summary>
    /// Brings the holder's certificate a month from expiry, as Renewal sees it (the window opens). First waits for the
    /// app's durable queues to go quiet: after a renewal, Certificates' CertificateIssued is still on its way to
    /// Renewal, and handled after this edit it would put the three-year expiry back.
    /// </summary>
    public static async Task DueInAMonthAsync(IDocumentStore store, string connectionString, string holderId)
    {
        await MessagesSettledAsync(connectionString);
        for (var attempt = 0; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var due = await session.LoadAsync<Renewal.Domain.RenewableCertificate>(holderId);
            if (due is not null)
            {
                due.ExpiresAt = DateTimeOffset.UtcNow.AddDays(30);
                session.Store(due);
                await session.SaveChangesAsync();
                return;
            }
            if (attempt > 100) throw new TimeoutException("The Renewal module never heard of the certificate.");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until no message waits in Wolverine's durable inbox or outbox (scheduled ones aside).</summary>
    public static async Task MessagesSettledAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var pending = new Npgsql.NpgsqlCommand(
            "select (select count(*) from wolverine.wolverine_incoming_envelopes where status = 'Incoming') + (select count(*) from wolverine.wolverine_outgoing_envelopes)", connection);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        for (var quiet = 0; quiet < 2;)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The app's durable queues never went quiet.");
            quiet = (long)(await pending.ExecuteScalarAsync())! == 0 ? quiet + 1 : 0;
            await Task.Delay(100);
        }
    }
}
