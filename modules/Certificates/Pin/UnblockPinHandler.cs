using Marten;
using MySign.Certificates.Contracts;
using MySign.Certificates.Domain;

namespace MySign.Certificates.Pin;

/// <summary>The RAO's unblock: the wrong attempts start again from zero (the key and the PIN are the same).</summary>
public static class UnblockPinHandler
{
    public static async Task Handle(UnblockPin command, IDocumentSession session, CancellationToken cancellation)
    {
        var certificate = await session.LoadAsync<HolderCertificate>(command.HolderId, cancellation);
        if (certificate is null || certificate.WrongPinAttempts == 0) return;
        certificate.WrongPinAttempts = 0;
        session.Store(certificate);
    }
}
