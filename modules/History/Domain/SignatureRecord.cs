using MySign.History.Contracts;

namespace MySign.History.Domain;

public sealed class SignatureRecord
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public Guid CertificateId { get; set; }
    public DateTimeOffset At { get; set; }
    public string DocumentName { get; set; } = "";
    public string HashAlgorithm { get; set; } = "";
    public bool Succeeded { get; set; }
    public SignatureChannel Channel { get; set; }
    /// <summary>Time then id, as text that sorts like them: the key of keyset paging (no OFFSET).</summary>
    public string SortKey { get; set; } = "";

    public static string KeyOf(DateTimeOffset at, Guid id) => $"{at.UtcTicks:D19}{id:N}";
    public static string KeyAt(DateTimeOffset at) => $"{at.UtcTicks:D19}";
}

/// <summary>
/// Counters and the latest few signatures, kept up to date as signatures arrive, so the home page reads
/// one small document (one primary-key read for both the counters and the History box) however long the
/// history is. Id is the holder's User ID.
/// </summary>
public sealed class SignatureCounters
{
    public const int LatestKept = 5;

    public string Id { get; set; } = "";
    public long Total { get; set; }
    /// <summary>Signatures per UTC day, only the last few days kept.</summary>
    public Dictionary<DateOnly, int> Daily { get; set; } = new();
    /// <summary>The newest signatures, newest first (by <see cref="SignatureRecord.SortKey"/>).</summary>
    public List<SignatureRecord> Latest { get; set; } = [];

    public void Count(SignatureRecord record, DateTimeOffset now) => Count([record], now);

    /// <summary>Counts a batch at once: one update of this document for all of it.</summary>
    public void Count(IReadOnlyCollection<SignatureRecord> records, DateTimeOffset now)
    {
        Total += records.Count;
        foreach (var record in records)
        {
            var day = DateOnly.FromDateTime(record.At.UtcDateTime);
            Daily[day] = Daily.GetValueOrDefault(day) + 1;
        }
        var oldest = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-8);
        foreach (var old in Daily.Keys.Where(d => d < oldest).ToList()) Daily.Remove(old);
        Keep(records);
    }

    /// <summary>Adds counts made elsewhere (a bulk load) to these.</summary>
    public void Add(SignatureCounters other)
    {
        Total += other.Total;
        foreach (var (day, n) in other.Daily) Daily[day] = Daily.GetValueOrDefault(day) + n;
        Keep(other.Latest);
    }

    private void Keep(IEnumerable<SignatureRecord> records)
    {
        // Most signatures counted in bulk are older than the newest five: they are dropped without sorting.
        foreach (var record in records)
        {
            if (Latest.Count == LatestKept && string.CompareOrdinal(record.SortKey, Latest[^1].SortKey) <= 0) continue;
            if (Latest.Exists(r => r.Id == record.Id)) continue;
            var at = Latest.FindIndex(r => string.CompareOrdinal(record.SortKey, r.SortKey) > 0);
            Latest.Insert(at < 0 ? Latest.Count : at, record);
            if (Latest.Count > LatestKept) Latest.RemoveAt(LatestKept);
        }
    }

    /// <summary>Signatures in the seven days ending today.</summary>
    public int LastWeek(DateTimeOffset now)
    {
        var from = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-6);
        return Daily.Where(d => d.Key >= from).Sum(d => d.Value);
    }
}
