using Marten;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Web;

namespace MySign.Kernel.Documents;

/// <summary>A document that belongs to one holder (a renewal, an order, a pending confirmation…).</summary>
public interface IHolderOwned
{
    string HolderId { get; }
}

public static class HolderOwned
{
    /// <summary>
    /// The document with this id if it belongs to the signed-in holder; otherwise null, so someone else's id reads
    /// exactly like an id that does not exist (the caller answers 404 either way).
    /// </summary>
    public static async Task<T?> LoadOwnAsync<T>(this IQuerySession session, Guid id, HttpContext context) where T : class, IHolderOwned
    {
        var document = await session.LoadAsync<T>(id, context.RequestAborted);
        return document is not null && document.HolderId == context.HolderId() ? document : null;
    }
}
