using MySign.Kernel.Validation;
using System.Globalization;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Http;
using MySign.History.Domain;
using MySign.History.Portal;
using MySign.Kernel.Localization;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.History.Browse;

public sealed record HistoryFilter(string From, string To, string? ErrorKey, string? Field);
public sealed record HistoryPageView(HistoryFilter Filter, IReadOnlyList<SignatureRow> Rows, string? Older, bool First, string Query);

/// <summary>
/// Signature history: newest first, filtered by a date range (inclusive, in Italian time), paged by keyset
/// (the sort key of the last row, never OFFSET), and exported as CSV streamed in chunks.
/// </summary>
public static class HistoryPageEndpoints
{
    public const int PageSize = 20;
    private const int ExportChunk = 2000;

    [WolverineGet("/history")]
    public static async Task<IResult> Page(HttpContext context, IQuerySession session, string? from, string? to, string? before)
    {
        var (filter, low, high) = Parse(from, to, context.Now());
        if (filter.ErrorKey is not null)
            return View(new HistoryPageView(filter, [], null, true, ""), StatusCodes.Status422UnprocessableEntity);
        var upper = before is { Length: > 0 and <= 60 } && string.CompareOrdinal(before, high) < 0 ? before : high;
        var rows = await Chunk(session, context.HolderId(), low, upper, PageSize + 1, context.RequestAborted);
        var query = $"from={Uri.EscapeDataString(filter.From)}&to={Uri.EscapeDataString(filter.To)}";
        var older = rows.Count > PageSize ? $"/history?{query}&before={rows[PageSize - 1].SortKey}" : null;
        return View(new HistoryPageView(filter, HistoryBox.View(rows.Take(PageSize)).Latest, older, upper == high, query));
    }

    [WolverineGet("/history.csv")]
    public static async Task Export(HttpContext context, IQuerySession session, string? from, string? to)
    {
        var (filter, low, high) = Parse(from, to, context.Now());
        if (filter.ErrorKey is not null)
        {
            context.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            await context.Response.WriteAsync(Strings.T(filter.ErrorKey), context.RequestAborted);
            return;
        }
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"signatures-{filter.From}-{filter.To}.csv\"";
        var holder = context.HolderId();
        await context.Response.WriteAsync(string.Join(',', new[] { "history.col.when", "history.col.document", "history.col.hash", "history.col.outcome", "history.col.channel" }.Select(k => Cell(Strings.T(k)))) + "\r\n", context.RequestAborted);
        var upper = high;
        while (true)
        {
            // One chunk in memory at a time, whatever the size of the range.
            var rows = await Chunk(session, holder, low, upper, ExportChunk, context.RequestAborted);
            var text = new StringBuilder();
            foreach (var r in rows)
            {
                var at = TimeZoneInfo.ConvertTime(r.At, TemplateFunctions.PortalTimeZone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                text.Append(Cell(at)).Append(',').Append(Cell(r.DocumentName)).Append(',').Append(Cell(r.HashAlgorithm)).Append(',')
                    .Append(Cell(Strings.T(r.Succeeded ? "history.outcome.ok" : "history.outcome.failed"))).Append(',')
                    .Append(Cell(Strings.T("history.channel." + r.Channel.ToString().ToLowerInvariant()))).Append("\r\n");
            }
            await context.Response.WriteAsync(text.ToString(), context.RequestAborted);
            if (rows.Count < ExportChunk) break;
            upper = rows[^1].SortKey;
        }
    }

    private static async Task<IReadOnlyList<SignatureRecord>> Chunk(IQuerySession session, string holder, string low, string upper, int take, CancellationToken cancellation) =>
        await session.Query<SignatureRecord>()
            .Where(r => r.HolderId == holder && r.SortKey.CompareTo(low) >= 0 && r.SortKey.CompareTo(upper) < 0)
            .OrderByDescending(r => r.SortKey).Take(take).ToListAsync(cancellation);

    /// <summary>The range as sort-key bounds: from the start of "from" to the end of "to", Italian days. Default: the last 30 days.</summary>
    public static (HistoryFilter Filter, string Low, string High) Parse(string? from, string? to, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TemplateFunctions.PortalTimeZone).DateTime);
        from = string.IsNullOrWhiteSpace(from) ? TypedDate.Show(today.AddDays(-30)) : from.Trim();
        to = string.IsNullOrWhiteSpace(to) ? TypedDate.Show(today) : to.Trim();
        // Days people can mean: a date outside them (year 1, year 9999) is refused like a malformed one, never computed with.
        if (TypedDate.Parse(from, 2000) is not { } first) return (new HistoryFilter(from, to, "history.error.date", "from"), "", "");
        if (TypedDate.Parse(to, 2000) is not { } last) return (new HistoryFilter(from, to, "history.error.date", "to"), "", "");
        // Shown back as the page writes days (an ISO date from a link becomes dd/mm/yyyy).
        (from, to) = (TypedDate.Show(first), TypedDate.Show(last));
        if (first > last) return (new HistoryFilter(from, to, "history.error.range", "from"), "", "");
        return (new HistoryFilter(from, to, null, null), SignatureRecord.KeyAt(StartOf(first)), SignatureRecord.KeyAt(StartOf(last.AddDays(1))));
    }

    private static DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, TemplateFunctions.PortalTimeZone.GetUtcOffset(local));
    }

    /// <summary>A CSV cell: quoted, and never read as a formula by a spreadsheet.</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0])) value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    private static IResult View(HistoryPageView view, int status = StatusCodes.Status200OK) =>
        new HtmlView(typeof(HistoryPageEndpoints).Assembly, "Browse/HistoryPage", view, "history.title") { StatusCode = status };
}
