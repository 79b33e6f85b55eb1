using MySign.History.Domain;

namespace MySign.Tests.History;

public sealed class SignatureCountersTests
{
    [Fact]
    public void the_last_week_counts_seven_days_and_the_total_counts_everything()
    {
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var counters = new SignatureCounters { Id = "m1" };
        counters.Count(now, now);
        counters.Count(now.AddDays(-6), now);
        counters.Count(now.AddDays(-7), now);
        counters.Count(now.AddDays(-30), now);
        counters.LastWeek(now).ShouldBe(2);
        counters.Total.ShouldBe(4);
        counters.Daily.Keys.ShouldAllBe(d => d >= new DateOnly(2026, 11, 15), "old days are dropped, so the document stays small");
    }
}
