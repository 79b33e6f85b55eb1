using Marten;
using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Rendering;

namespace MySign.Kernel.Web;

/// <summary>
/// One box of the holder's home page. The module that owns the data implements it: it adds its own
/// reads to a batch the caller executes (so the whole home page is one database round trip) and
/// renders its own template. The host only places the boxes; it never sees their documents.
/// </summary>
public interface IPortalBox
{
    /// <summary>Position on the page; "summary" parts (badge, counters) sit above the boxes.</summary>
    int Order { get; }
    PortalSlot Slot { get; }
    /// <summary>The module's endpoint that serves this box alone (htmx swaps it in).</summary>
    string Path { get; }
    /// <summary>Queues this box's reads on <paramref name="batch"/>; the returned function renders after the batch ran.</summary>
    Func<RawHtml> Prepare(IBatchedQuery batch, HttpContext context);
}

public enum PortalSlot { Summary, Box }

public static class PortalBoxes
{
    /// <summary>
    /// A document loaded once per batch however many boxes of the same module ask for it (the certificate's
    /// four parts share one read and one deserialisation).
    /// </summary>
    public static Task<T?> LoadOnce<T>(this IBatchedQuery batch, HttpContext context, string id) where T : class
    {
        var key = (batch, typeof(T), id);
        if (context.Items.TryGetValue(key, out var pending)) return (Task<T?>)pending!;
        var load = batch.Load<T>(id)!;
        context.Items[key] = load;
        return load!;
    }

    /// <summary>Renders boxes with their reads batched into one round trip.</summary>
    public static async Task<IReadOnlyList<RawHtml>> RenderAsync(IEnumerable<IPortalBox> boxes, IQuerySession session, HttpContext context)
    {
        var batch = session.CreateBatchQuery();
        var renderers = boxes.Select(b => b.Prepare(batch, context)).ToList();
        await batch.Execute(context.RequestAborted);
        return renderers.Select(r => r()).ToList();
    }

    /// <summary>The htmx partial for one box, served by the module's own endpoint.</summary>
    public static async Task<IResult> PartialAsync(IPortalBox box, IQuerySession session, HttpContext context)
    {
        var html = (await RenderAsync([box], session, context))[0];
        return new HtmlFragmentResult(html);
    }
}

/// <summary>Writes already-rendered markup as an htmx fragment.</summary>
public sealed class HtmlFragmentResult(RawHtml html, int statusCode = StatusCodes.Status200OK) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.Vary = "HX-Request";
        return context.Response.WriteAsync(html.Value, context.RequestAborted);
    }
}
