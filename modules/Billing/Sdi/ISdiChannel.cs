using Marten;

namespace MySign.Billing.Sdi;

/// <summary>The one door to the Sistema di Interscambio: the PEC transport in Production, the sandbox elsewhere.</summary>
public interface ISdiChannel
{
    /// <summary>
    /// Hands one file to SdI. Throws when the transport fails: the message is retried (Wolverine's durable inbox, then the
    /// sweep). <paramref name="session"/> is the sending transaction; a channel that answers in-process (the sandbox)
    /// records what it received there and returns its answer as messages sent after the commit.
    /// </summary>
    Task<IReadOnlyList<object>> SendAsync(string fileName, byte[] xml, IDocumentSession session, CancellationToken cancellation);
}
