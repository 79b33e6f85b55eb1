using Marten;
using MySign.Kernel.Rendering;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.Web.Shell;

public sealed record PlacedBox(string Path, RawHtml Html);
public sealed record HomeModel(string Name, IReadOnlyList<PlacedBox> Summary, IReadOnlyList<PlacedBox> Boxes);

/// <summary>
/// The holder's home page. It only places the modules' boxes: each box reads its own module's documents
/// (all reads in one batched round trip) and renders its own template; each can also be refreshed alone
/// from its module's endpoint by htmx.
/// </summary>
public static class HomeEndpoint
{
    [WolverineGet("/")]
    public static async Task<IResult> Get(HttpContext context, IQuerySession session, IEnumerable<IPortalBox> boxes)
    {
        var ordered = boxes.OrderBy(b => b.Order).ToList();
        var html = await PortalBoxes.RenderAsync(ordered, session, context);
        var placed = ordered.Zip(html, (box, h) => (box.Slot, Placed: new PlacedBox(box.Path, h))).ToList();
        var model = new HomeModel(context.User.Identity?.Name ?? "",
            placed.Where(p => p.Slot == PortalSlot.Summary).Select(p => p.Placed).ToList(),
            placed.Where(p => p.Slot == PortalSlot.Box).Select(p => p.Placed).ToList());
        return new HtmlView(typeof(HomeEndpoint).Assembly, "Shell/Home", model, "home.title") { Partial = false };
    }
}
