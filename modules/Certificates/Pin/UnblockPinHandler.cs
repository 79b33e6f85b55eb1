using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;

namespace MySign.Certificates.Pin;

/// <summary>The RAO's unblock after an identity check: the PIN gets five tries again (the key and the PIN are the same).</summary>
public static class UnblockPinHandler
{
    public static async Task Handle(UnblockPin command, IDocumentSession session, CancellationToken cancellation)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(command.HolderId, cancellation);
        if (certificate is null) return;
        session.Store(PinAttempts.Fresh(certificate));
    }
}
