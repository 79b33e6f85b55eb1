using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.History.Contracts;
using MySign.History.Domain;
using MySign.History.Recording;


namespace MySign.Dev.Bench;

public sealed class SeedHistoryInput : NetCoreInput
{
    [Description("The holder's User ID")]
    public string Holder { get; set; } = "";

    [Description("How many signature records")]
    public int CountFlag { get; set; } = 1_000_000;

    [Description("Spread over this many days back from now")]
    public int DaysFlag { get; set; } = 730;
}

/// <summary>`make bench` part: fills one holder's history with many records (bulk COPY) and sets its counters to match.</summary>
[Description("Bulk-loads signature records for a holder (benchmarks)", Name = "history-seed")]
public sealed class SeedHistoryCommand : JasperFxAsyncCommand<SeedHistoryInput>
{
    public override async Task<bool> Execute(SeedHistoryInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var now = TimeProvider.System.GetUtcNow();
        var span = TimeSpan.FromDays(input.DaysFlag).Ticks;
        var counters = new SignatureCounters { Id = input.Holder };
        const int chunk = 50_000;
        for (var done = 0; done < input.CountFlag; done += chunk)
        {
            var records = Enumerable.Range(done, Math.Min(chunk, input.CountFlag - done)).Select(i =>
            {
                var at = now.AddTicks(-(long)((double)i / input.CountFlag * span));
                var record = SignatureMadeHandler.ToRecord(new SignatureMade(Guid.CreateVersion7(at), input.Holder, Guid.Empty, at,
                    $"document-{i:D7}.pdf", "SHA-256", true, i % 3 == 0 ? SignatureChannel.Api : SignatureChannel.Portal));
                counters.Count(record, now);
                return record;
            }).ToList();
            await store.BulkInsertAsync(records, Weasel.Core.BulkInsertMode.InsertsOnly, 10_000);
        }
        await using var session = store.LightweightSession();
        var existing = await session.LoadAsync<SignatureCounters>(input.Holder);
        if (existing is not null)
        {
            existing.Add(counters);
            counters = existing;
        }
        session.Store(counters);
        await session.SaveChangesAsync();
        // Statistics for the planner after a bulk load (what autovacuum would do a little later).
        await using (var analyse = host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand($"vacuum analyze {History.HistoryModule.Schema}.mt_doc_signaturerecord"))
            await analyse.ExecuteNonQueryAsync();
        try
        {
            // Flush the load now rather than in the middle of the measurements that follow.
            await using var checkpoint = host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand("checkpoint");
            await checkpoint.ExecuteNonQueryAsync();
        }
        catch (Npgsql.PostgresException)
        {
            // not a superuser: the server checkpoints on its own schedule
        }
        Console.WriteLine($"history-seed: {input.CountFlag} records for {input.Holder}");
        return true;
    }
}
