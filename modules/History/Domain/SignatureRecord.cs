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
/// Counters kept up to date as signatures arrive, so the home page reads one small document
/// however long the history is. Id is the holder's User ID.
/// </summary>
public sealed class SignatureCounters
{
    public string Id { get; set; } = "";
    public long Total { get; set; }
    /// <summary>Signatures per UTC day, only the last few days kept.</summary>
    public Dictionary<DateOnly, int> Daily { get; set; } = new();

    public void Count(DateTimeOffset at, DateTimeOffset now)
    {
        Total++;
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        Daily[day] = Daily.GetValueOrDefault(day) + 1;
        var oldest = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-8);
        foreach (var old in Daily.Keys.Where(d => d < oldest).ToList()) Daily.Remove(old);
    }

    /// <summary>Signatures in the seven days ending today.</summary>
    public int LastWeek(DateTimeOffset now)
    {
        var from = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-6);
        return Daily.Where(d => d.Key >= from).Sum(d => d.Value);
    }
}
