using Marten;
using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using MySign.History.Domain;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.History.Portal;

public sealed record SignatureRow(DateTimeOffset At, string DocumentName, string HashAlgorithm, string OutcomeKey, string ChannelKey);
public sealed record HistoryBoxView(IReadOnlyList<SignatureRow> Latest);
public sealed record CountersView(int LastWeek, long Total);

public sealed class HistoryBox : IPortalBox
{
    public int Order => 30;
    public PortalSlot Slot => PortalSlot.Box;
    public string Path => "/portal/boxes/history";

    public Func<RawHtml> Prepare(IBatchedQuery batch, HttpContext context)
    {
        // The counters document keeps the latest signatures: the box and the counters share one read.
        var counters = batch.LoadOnce<SignatureCounters>(context, context.HolderId());
        return () => HtmlView.For<HistoryBox>("Portal/HistoryBox", View(counters.Result?.Latest ?? [])).RenderFragment(context);
    }

    public static HistoryBoxView View(IEnumerable<SignatureRecord> records) => new(records.Select(r => new SignatureRow(
        r.At, r.DocumentName, r.HashAlgorithm, r.Succeeded ? "history.outcome.ok" : "history.outcome.failed",
        "history.channel." + r.Channel.ToString().ToLowerInvariant())).ToList());
}

public sealed class SignatureCountersPart : IPortalBox
{
    public int Order => 5;
    public PortalSlot Slot => PortalSlot.Summary;
    public string Path => "/portal/boxes/counters";

    public Func<RawHtml> Prepare(IBatchedQuery batch, HttpContext context)
    {
        var counters = batch.LoadOnce<SignatureCounters>(context, context.HolderId());
        return () => HtmlView.For<HistoryBox>("Portal/Counters", View(counters.Result, context.Now())).RenderFragment(context);
    }

    public static CountersView View(SignatureCounters? counters, DateTimeOffset now) =>
        counters is null ? new CountersView(0, 0) : new CountersView(counters.LastWeek(now), counters.Total);
}

public static class HistoryBoxEndpoints
{
    [WolverineGet("/portal/boxes/history")]
    public static Task<IResult> History(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new HistoryBox(), session, context);

    [WolverineGet("/portal/boxes/counters")]
    public static Task<IResult> Counters(HttpContext context, IQuerySession session) => PortalBoxes.PartialAsync(new SignatureCountersPart(), session, context);
}
