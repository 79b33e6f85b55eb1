using MySign.History.Contracts;
using MySign.History.Recording;

namespace MySign.Tests.History;

[Collection(AppCollection.Name)]
public sealed class HistoryPageTests(AppFixture app)
{
    private static readonly TimeZoneInfo Rome = TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome");

    private async Task<(PortalClient, TestHolder)> HolderWith(IEnumerable<(DateTimeOffset At, string Name)> signatures)
    {
        var holder = await Holders.CreateAsync(app.Store);
        await using (var session = app.Store.LightweightSession())
        {
            foreach (var (at, name) in signatures)
                session.Store(SignatureMadeHandler.ToRecord(new SignatureMade(Guid.NewGuid(), holder.Id, Guid.Empty, at, name, "SHA-256", true, SignatureChannel.Portal)));
            await session.SaveChangesAsync();
        }
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        return (client, holder);
    }

    private static DateTimeOffset RomeTime(int y, int m, int d, int h, int min) =>
        new(new DateTime(y, m, d, h, min, 0), Rome.GetUtcOffset(new DateTime(y, m, d, h, min, 0)));

    [Fact]
    public async Task pages_go_back_in_time_by_keyset_without_gaps_or_repeats_even_when_times_tie()
    {
        var now = DateTimeOffset.UtcNow;
        // 45 signatures, 15 of them at the very same instant (one signHash call signs several hashes at once).
        var items = Enumerable.Range(0, 30).Select(i => (now.AddMinutes(-i * 7), $"doc-{i:D2}.pdf"))
            .Concat(Enumerable.Range(0, 15).Select(i => (now.AddHours(-2), $"batch-{i:D2}.pdf"))).ToList();
        var (client, _) = await HolderWith(items);
        using var _c = client;
        var seen = new List<string>();
        string? next = "/history";
        var pages = 0;
        while (next is not null)
        {
            var page = await client.GetAsync(next);
            page.Status.ShouldBe(HttpStatusCode.OK);
            var rows = page.Document.QuerySelectorAll("#history tbody tr").Select(r => r.Children[1].TextContent).ToList();
            rows.Count.ShouldBeLessThanOrEqualTo(20);
            seen.AddRange(rows);
            next = page.Document.QuerySelector("a[rel=next]")?.GetAttribute("href");
            pages++;
        }
        pages.ShouldBe(3);
        seen.Count.ShouldBe(45);
        seen.Distinct().Count().ShouldBe(45);
        seen[0].ShouldBe("doc-00.pdf", "newest first");
    }

    [Fact]
    public async Task the_date_filter_is_inclusive_in_italian_time_and_the_csv_has_the_same_rows()
    {
        var (client, _) = await HolderWith([
            (RomeTime(2026, 3, 1, 0, 0), "first-minute.pdf"),
            (RomeTime(2026, 3, 2, 23, 59), "last-minute.pdf"),
            (RomeTime(2026, 2, 28, 23, 59), "day-before.pdf"),
            (RomeTime(2026, 3, 3, 0, 0), "day-after.pdf"),
            (RomeTime(2026, 3, 2, 12, 0), "=HYPERLINK(\"evil\")"),
        ]);
        using var _c = client;
        var page = await client.GetAsync("/history?from=2026-03-01&to=2026-03-02");
        var names = page.Document.QuerySelectorAll("#history tbody tr").Select(r => r.Children[1].TextContent).ToList();
        names.ShouldBe(["last-minute.pdf", "=HYPERLINK(\"evil\")", "first-minute.pdf"]);

        // Typed as both languages write days, the same range; the fields show it that way (a date picker would not).
        var typed = await client.GetAsync("/history?from=01%2F03%2F2026&to=2%2F3%2F2026");
        typed.Document.QuerySelectorAll("#history tbody tr").Count.ShouldBe(3);
        typed.Document.QuerySelector("#from")!.GetAttribute("value").ShouldBe("01/03/2026");
        typed.Document.QuerySelector("#to")!.GetAttribute("value").ShouldBe("02/03/2026");
        typed.Document.QuerySelector("#from")!.GetAttribute("type").ShouldBe("text");
        typed.Document.QuerySelector("label[for=from]")!.TextContent.ShouldContain("dd/mm/yyyy");
        await client.PostAsync("/lang", new() { ["lang"] = "it", ["return"] = "/history" });
        (await client.GetAsync("/history")).Document.QuerySelector("#from")!.GetAttribute("placeholder").ShouldBe("gg/mm/aaaa");
        await client.PostAsync("/lang", new() { ["lang"] = "en", ["return"] = "/history" });

        var csv = await client.GetAsync("/history.csv?from=2026-03-01&to=2026-03-02");
        csv.Response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = csv.Html.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(4);
        lines[0].ShouldStartWith("\"Date and time\"");
        lines[1].ShouldStartWith("\"2026-03-02 23:59:00\",\"last-minute.pdf\"");
        lines[2].ShouldContain("\"'=HYPERLINK(\"\"evil\"\")\"", customMessage: "a spreadsheet must not run it");
    }

    [Fact]
    public async Task a_bad_date_is_refused_next_to_the_field_and_kept()
    {
        var (client, _) = await HolderWith([]);
        using var _c = client;
        var page = await client.GetAsync("/history?from=31-02-2026&to=2026-03-02");
        page.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        page.Document.QuerySelector("#history-error")!.TextContent.ShouldContain("day/month/year");
        page.Document.QuerySelector("#from")!.GetAttribute("value").ShouldBe("31-02-2026");
        (await client.GetAsync("/history?from=2026-03-05&to=2026-03-02")).Text.ShouldContain("must not be after");
    }

    [Fact]
    public async Task the_history_shows_only_the_signed_in_holders_signatures()
    {
        var (mine, _) = await HolderWith([(DateTimeOffset.UtcNow.AddMinutes(-1), "mine.pdf")]);
        var (theirs, _) = await HolderWith([(DateTimeOffset.UtcNow.AddMinutes(-1), "theirs.pdf")]);
        using var _m = mine;
        using var _t = theirs;
        var page = await mine.GetAsync("/history");
        page.Text.ShouldContain("mine.pdf");
        page.Text.ShouldNotContain("theirs.pdf");
    }
}
