using MySign.Renewal.Domain;

namespace MySign.Tests.Renewal;

public sealed class RenewalWindowTests
{
    private static readonly DateTimeOffset Expiry = new(2027, 5, 31, 22, 0, 0, TimeSpan.Zero); // 1 June 2027, midnight in Rome

    [Fact]
    public void the_window_opens_three_calendar_months_before_expiry()
    {
        var window = RenewalWindow.For(Expiry, Expiry.AddDays(-200));
        window.State.ShouldBe(WindowState.NotYetOpen);
        TimeZoneInfo.ConvertTime(window.OpensAt, RenewalWindow.Zone).Date.ShouldBe(new DateTime(2027, 3, 1));
        RenewalWindow.For(Expiry, window.OpensAt.AddSeconds(-1)).State.ShouldBe(WindowState.NotYetOpen);
        RenewalWindow.For(Expiry, window.OpensAt).State.ShouldBe(WindowState.Open);
    }

    [Fact]
    public void the_window_closes_at_expiry_and_days_left_count_calendar_days_in_italy()
    {
        RenewalWindow.For(Expiry, Expiry.AddSeconds(-1)).State.ShouldBe(WindowState.Open);
        RenewalWindow.For(Expiry, Expiry).State.ShouldBe(WindowState.Expired);
        RenewalWindow.For(Expiry, Expiry.AddDays(-10)).DaysLeft.ShouldBe(10);
    }
}
