using Marten.Services.BatchQuerying;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Rendering;

namespace MySign.Kernel.Web;

/// <summary>
/// One module's part of the RAO console's holder page and of its list of the office's holders, as <see cref="IPortalBox"/>
/// is of the holder's home page: the module that owns the facts queues its reads on the page's batch and renders them
/// itself, so the operator reads each owner's current facts (the certificate's state and IUT, the OTP phone), never a copy
/// made at registration. The console checks the holder belongs to the operator's office before it asks.
/// </summary>
public interface IHolderFactsPart
{
    int Order { get; }

    /// <summary>The holder's page: this module's facts, rendered, and its operations for the page's one list.</summary>
    Func<HolderFacts> Prepare(IBatchedQuery batch, HttpContext context, string holderId);

    /// <summary>The office's list: a short status for each of these holders the module has one for (empty when it has none).</summary>
    Func<IReadOnlyDictionary<string, string>> PrepareStatuses(IBatchedQuery batch, HttpContext context, IReadOnlyList<string> holderIds);
}

public sealed record HolderFacts(RawHtml Facts, IReadOnlyList<HolderOperation> Operations)
{
    public static readonly HolderFacts None = new(new RawHtml(""), []);
}

/// <summary>One line of the holder's operations, already in the reader's language; <paramref name="Actor"/> is who acted when it was not the holder.</summary>
public sealed record HolderOperation(DateTimeOffset At, string Text, string? Actor = null);
