using Marten;
using MySign.History.Contracts;
using MySign.History.Domain;

namespace MySign.History.Recording;

/// <summary>
/// Files a signature and moves the holder's counters (and latest signatures) in one transaction. Signatures of one batch arrive in
/// parallel, so the counters document is versioned and a conflicting update re-reads and applies again
/// (Wolverine's few retries were not enough for a 100-hash batch). A signature delivered twice is filed once.
/// </summary>
public static class SignatureMadeHandler
{
    public static async Task Handle(SignatureMade signature, IDocumentStore store, TimeProvider clock, CancellationToken cancellation)
    {
        for (var round = 0; ; round++)
        {
            await using var session = store.LightweightSession();
            if (await session.LoadAsync<SignatureRecord>(signature.SignatureId, cancellation) is not null) return;
            var record = ToRecord(signature);
            session.Insert(record);
            var counters = await session.LoadAsync<SignatureCounters>(signature.HolderId, cancellation) ?? new SignatureCounters { Id = signature.HolderId };
            counters.Count(record, clock.GetUtcNow());
            session.Store(counters);
            try
            {
                await session.SaveChangesAsync(cancellation);
                MySign.Kernel.Operations.Telemetry.Signatures.Add(1, new KeyValuePair<string, object?>("channel", record.Channel.ToString().ToLowerInvariant()));
                return;
            }
            catch (Exception e) when (e is JasperFx.ConcurrencyException or JasperFx.DocumentAlreadyExistsException && round < 200)
            {
                await Task.Delay(Random.Shared.Next(1, 10), cancellation);
            }
        }
    }

    public static SignatureRecord ToRecord(SignatureMade s) => new()
    {
        Id = s.SignatureId, HolderId = s.HolderId, CertificateId = s.CertificateId, At = s.At,
        DocumentName = s.DocumentName, HashAlgorithm = s.HashAlgorithm, Succeeded = s.Succeeded, Channel = s.Channel,
        SortKey = SignatureRecord.KeyOf(s.At, s.SignatureId),
    };
}
