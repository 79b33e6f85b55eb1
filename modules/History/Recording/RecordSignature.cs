using Marten;
using MySign.History.Contracts;
using MySign.History.Domain;

namespace MySign.History.Recording;

/// <summary>
/// Files signatures and moves the holder's counters (and latest signatures) in one transaction: a single signature
/// (SignatureMade) or a whole CSC batch (SignaturesMade: N records, one round trip, counters moved once). Batches of one
/// holder arrive in parallel, so the counters document is versioned and a conflicting update re-reads and applies again
/// (Wolverine's few retries were not enough). A batch or signature delivered twice is filed once.
/// </summary>
public static class SignatureMadeHandler
{
    public static Task Handle(SignatureMade signature, IDocumentStore store, TimeProvider clock, CancellationToken cancellation) =>
        FileAsync(store, signature.HolderId, [ToRecord(signature)], clock, cancellation);

    public static Task Handle(SignaturesMade batch, IDocumentStore store, TimeProvider clock, CancellationToken cancellation) =>
        FileAsync(store, batch.HolderId, batch.Signatures.Select(s => ToRecord(new SignatureMade(s.SignatureId, batch.HolderId, batch.CertificateId, batch.At,
            s.DocumentName, batch.HashAlgorithm, true, batch.Channel))).ToList(), clock, cancellation);

    private static async Task FileAsync(IDocumentStore store, string holder, IReadOnlyList<SignatureRecord> records, TimeProvider clock, CancellationToken cancellation)
    {
        if (records.Count == 0) return;
        for (var round = 0; ; round++)
        {
            await using var session = store.LightweightSession();
            // A redelivered message: its first record is already filed (all of them were, in the same transaction).
            if (await session.LoadAsync<SignatureRecord>(records[0].Id, cancellation) is not null) return;
            session.Insert(records.ToArray());
            var counters = await session.LoadAsync<SignatureCounters>(holder, cancellation) ?? new SignatureCounters { Id = holder };
            counters.Count(records, clock.GetUtcNow());
            session.Store(counters);
            try
            {
                await session.SaveChangesAsync(cancellation);
                Kernel.Operations.Telemetry.Signatures.Add(records.Count, new KeyValuePair<string, object?>("channel", records[0].Channel.ToString().ToLowerInvariant()));
                return;
            }
            catch (Exception e) when (round < 200 && Conflict(e))
            {
                await Task.Delay(Random.Shared.Next(1, 10), cancellation);
            }
        }
    }

    /// <summary>Another delivery of the same batch, or a counters update, got there first (Marten reports several at once as an AggregateException).</summary>
    private static bool Conflict(Exception e) =>
        e is JasperFx.ConcurrencyException or JasperFx.DocumentAlreadyExistsException || e is AggregateException all && all.InnerExceptions.All(Conflict);

    public static SignatureRecord ToRecord(SignatureMade s) => new()
    {
        Id = s.SignatureId, HolderId = s.HolderId, CertificateId = s.CertificateId, At = s.At,
        DocumentName = s.DocumentName, HashAlgorithm = s.HashAlgorithm, Succeeded = s.Succeeded, Channel = s.Channel,
        SortKey = SignatureRecord.KeyOf(s.At, s.SignatureId),
    };
}
