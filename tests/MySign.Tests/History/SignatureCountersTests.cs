using MySign.History.Domain;

namespace MySign.Tests.History;

public sealed class SignatureCountersTests
{
    private static SignatureRecord At(DateTimeOffset at)
    {
        var id = Guid.CreateVersion7(at);
        return new SignatureRecord { Id = id, HolderId = "m1", At = at, DocumentName = $"{at:yyyyMMddHH}.pdf", SortKey = SignatureRecord.KeyOf(at, id) };
    }

    [Fact]
    public void the_last_week_counts_seven_days_and_the_total_counts_everything()
    {
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var counters = new SignatureCounters { Id = "m1" };
        counters.Count(At(now), now);
        counters.Count(At(now.AddDays(-6)), now);
        counters.Count(At(now.AddDays(-7)), now);
        counters.Count(At(now.AddDays(-30)), now);
        counters.LastWeek(now).ShouldBe(2);
        counters.Total.ShouldBe(4);
        counters.Daily.Keys.ShouldAllBe(d => d >= new DateOnly(2026, 11, 15), "old days are dropped, so the document stays small");
    }

    [Fact]
    public void the_latest_five_are_kept_newest_first_whatever_order_they_arrive_in()
    {
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var counters = new SignatureCounters { Id = "m1" };
        var records = Enumerable.Range(0, 12).Select(i => At(now.AddHours(-i))).ToList();
        foreach (var i in new[] { 7, 0, 11, 3, 9, 1, 5, 2, 10, 4, 8, 6 }) counters.Count(records[i], now);
        counters.Count(records[0], now); // delivered twice: counted, but listed once
        counters.Latest.Select(r => r.At).ShouldBe(records.Take(5).Select(r => r.At));

        var bulk = new SignatureCounters { Id = "m1" };
        var newer = At(now.AddMinutes(30));
        bulk.Count(newer, now);
        counters.Add(bulk);
        counters.Latest.First().Id.ShouldBe(newer.Id);
        counters.Latest.Count.ShouldBe(SignatureCounters.LatestKept);
    }
}
