using System.Security.Cryptography.X509Certificates;
using MySign.TrustServices.Contracts;
using Wolverine;

namespace MySign.RemoteSigning.Signing;

/// <summary>
/// What this module asks of TrustServices while it signs and describes certificates: the CA's chain, a time-stamp, the
/// validation material. Through the messages of its contracts (docs/adr/0020), inline on the caller's bus, so the request's
/// correlation id goes with them.
/// </summary>
public sealed class TrustServicesClient
{
    private (X509Certificate2 Root, X509Certificate2 Issuing)? _chain;

    /// <summary>The root's and the issuing CA's certificates. Kept once read: the CA's certificates never change while a node runs.</summary>
    public async Task<(X509Certificate2 Root, X509Certificate2 Issuing)> ChainAsync(IMessageBus bus, CancellationToken cancellation)
    {
        if (_chain is { } known) return known;
        var chain = await bus.InvokeAsync<CaChain>(new GetCaChain(), cancellation);
        return (_chain = (X509CertificateLoader.LoadCertificate(chain.Root), X509CertificateLoader.LoadCertificate(chain.Issuing))).Value;
    }

    /// <summary>An RFC 3161 token from the TSA over <paramref name="sha256"/>.</summary>
    public static async Task<byte[]> TimeStampAsync(IMessageBus bus, byte[] sha256, CancellationToken cancellation) =>
        (await bus.InvokeAsync<TimeStampGranted>(new GetTimeStamp(sha256), cancellation)).Token;

    /// <summary>What a relying party needs to validate a signature by <paramref name="signer"/> later and offline.</summary>
    public static Task<ValidationMaterial> ValidationMaterialAsync(IMessageBus bus, X509Certificate2 signer, CancellationToken cancellation) =>
        bus.InvokeAsync<ValidationMaterial>(new GetValidationMaterial(signer.RawData), cancellation);
}
