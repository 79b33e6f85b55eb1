using Marten;
using MySign.TrustServices.Authority;
using MySign.TrustServices.Domain;

namespace MySign.TrustServices.Crl;

/// <summary>The CRLs: the issuing CA's, rebuilt from the revocation entries and signed in the token; the root's, as its ceremony signed it.</summary>
public sealed class Crls(CertificateAuthority authority, IDocumentStore store)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// The CRL as published: the issuing CA's, or a new one when none is or it is due within the hour; the root's as its last
    /// ceremony signed it (the root's key is offline: the portal never signs for it).
    /// </summary>
    public async Task<CrlDocument> CurrentAsync(string which, DateTimeOffset now, CancellationToken cancellation)
    {
        if (which == CrlDocument.Root) await authority.GetAsync(cancellation); // the ceremony made it with the CA
        await using var session = store.QuerySession();
        var crl = await session.LoadAsync<CrlDocument>(which, cancellation);
        if (which == CrlDocument.Root) return crl ?? throw new InvalidOperationException("The root's CRL is missing: run ca-ceremony.");
        return crl is null || crl.NextUpdate - now < TimeSpan.FromHours(1) ? await PublishAsync(now, cancellation) : crl;
    }

    /// <summary>
    /// Rebuilds the issuing CA's CRL from the committed revocation entries, signed in the token. Concurrent rebuilds are safe:
    /// the CRL document is versioned, and a rebuild that lost the race reads the entries again and tries once more.
    /// </summary>
    public async Task<CrlDocument> PublishAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        var (_, issuing) = await authority.GetAsync(cancellation);
        var signer = await authority.IssuingSignerAsync(cancellation);
        for (var round = 0; ; round++)
        {
            await using var session = store.LightweightSession();
            IReadOnlyList<RevocationEntry> entries = await session.Query<RevocationEntry>().ToListAsync(cancellation);
            var crl = await session.LoadAsync<CrlDocument>(CrlDocument.Issuing, cancellation) ?? new CrlDocument { Id = CrlDocument.Issuing };
            crl.Number++;
            crl.ThisUpdate = now;
            crl.NextUpdate = now + Lifetime;
            crl.Der = CertificateFactory.BuildCrl(issuing, signer, entries.Select(e => new CertificateFactory.CrlEntry(Convert.FromHexString(e.Id), e.RevokedAt, e.Reason)),
                crl.Number, now, crl.NextUpdate);
            session.Store(crl);
            try
            {
                await session.SaveChangesAsync(cancellation);
                return crl;
            }
            catch (JasperFx.ConcurrencyException) when (round < 20)
            {
            }
        }
    }
}

/// <summary>Rebuild and publish the CRL (sent after every revocation entry that changed, through the outbox, and when one is due).</summary>
public sealed record PublishCrl;

public static class PublishCrlHandler
{
    public static Task Handle(PublishCrl _, Crls crls, TimeProvider clock, CancellationToken cancellation) => crls.PublishAsync(clock.GetUtcNow(), cancellation);
}
