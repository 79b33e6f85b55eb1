using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Custody;
using Npgsql;
using Wolverine;

namespace MySign.Tests.Certificates;

/// <summary>Ended SAD grants and their signing calls do not pile up: the hourly sweep deletes them, and nothing still usable.</summary>
[Collection(AppCollection.Name)]
public sealed class SadPurgeTests(AppFixture app)
{
    [Fact]
    public async Task the_sweep_deletes_grants_ended_over_an_hour_ago_with_their_calls_and_keeps_live_and_just_ended_ones()
    {
        var now = DateTimeOffset.UtcNow;
        var holder = $"purge-{Guid.NewGuid():N}"[..20];
        static string Grant() => Guid.NewGuid().ToString("N").ToUpperInvariant();
        var (ended, justEnded, live) = (Grant(), Grant(), Grant());
        await using (var session = app.Store.LightweightSession())
        {
            foreach (var (id, expires) in new[] { (ended, now.AddHours(-2)), (justEnded, now.AddMinutes(-10)), (live, now.AddMinutes(5)) })
                session.Store(new CscAuthorization { Id = id, HolderId = holder, CredentialId = Guid.NewGuid(), Remaining = 0, ExpiresAt = expires });
            await session.SaveChangesAsync();
        }
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        foreach (var (id, at) in new[] { (ended, now.AddHours(-2)), (justEnded, now.AddMinutes(-70)), (live, now.AddMinutes(-70)) })
        {
            await using var insert = new NpgsqlCommand("insert into certificates.csc_sad_calls (grant_id, call, at) values ($1, 'c', $2)", connection)
            { Parameters = { new() { Value = id }, new() { Value = at } } };
            await insert.ExecuteNonQueryAsync();
        }

        using var scope = app.Host.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(new PurgeSadGrants());

        await using (var query = app.Store.QuerySession())
        {
            (await query.LoadAsync<CscAuthorization>(ended)).ShouldBeNull("ended two hours ago");
            (await query.LoadAsync<CscAuthorization>(justEnded)).ShouldNotBeNull("ended ten minutes ago: a retried call still gets its answer");
            (await query.LoadAsync<CscAuthorization>(live)).ShouldNotBeNull();
        }
        await using var calls = new NpgsqlCommand("select grant_id from certificates.csc_sad_calls where grant_id = any($1) order by grant_id", connection)
        { Parameters = { new() { Value = new[] { ended, justEnded, live } } } };
        var left = new List<string>();
        await using (var reader = await calls.ExecuteReaderAsync())
            while (await reader.ReadAsync()) left.Add(reader.GetString(0));
        left.ShouldBe(new[] { justEnded, live }.Order().ToList());
    }
}
