using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using MySign.TrustServices.Contracts;
using MySign.TrustServices.Domain;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.TrustServices;

/// <summary>
/// The CA's revocation entries whatever order the requests arrive in, through the CA's own door (docs/adr/0020): a release
/// takes off only the hold it names, and nothing turns a revocation back into a hold or removes it. A late or repeated message
/// from the outbox must never make a suspended or revoked certificate good again.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class RevocationOrderTests(AppFixture app)
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private async Task SendAsync(object message)
    {
        using var scope = app.Host.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        await app.Host.ExecuteAndWaitAsync(() => bus.InvokeAsync(message), 30_000);
    }

    private async Task<RevocationEntry?> EntryAsync(string serial)
    {
        await using var session = app.Store.QuerySession();
        return await session.LoadAsync<RevocationEntry>(serial);
    }

    private static string NewSerial() => Convert.ToHexString(Guid.NewGuid().ToByteArray()[..12]);

    [Fact]
    public async Task a_late_release_of_the_first_suspension_leaves_the_second_on_the_crl()
    {
        var (serial, certificate) = (NewSerial(), Guid.NewGuid());
        await SendAsync(new RecordRevocation(serial, certificate, X509RevocationReason.CertificateHold, Monday));
        await SendAsync(new ReleaseHold(serial, certificate, Monday));
        (await EntryAsync(serial)).ShouldBeNull("the reactivation after the first suspension took it off");
        await SendAsync(new RecordRevocation(serial, certificate, X509RevocationReason.CertificateHold, Monday.AddHours(2)));
        // The first reactivation's release, delivered again (the outbox retries) after the second suspension.
        await SendAsync(new ReleaseHold(serial, certificate, Monday));
        (await EntryAsync(serial))!.Reason.ShouldBe(X509RevocationReason.CertificateHold, "the second suspension stands");
    }

    [Fact]
    public async Task nothing_takes_a_revocation_off_the_crl_nor_turns_it_into_a_hold()
    {
        var (serial, certificate) = (NewSerial(), Guid.NewGuid());
        await SendAsync(new RecordRevocation(serial, certificate, X509RevocationReason.CertificateHold, Monday));
        await SendAsync(new RecordRevocation(serial, certificate, X509RevocationReason.KeyCompromise, Monday.AddHours(1)));
        await SendAsync(new ReleaseHold(serial, certificate, Monday));
        await SendAsync(new ReleaseHold(serial, certificate, null));
        await SendAsync(new RecordRevocation(serial, certificate, X509RevocationReason.CertificateHold, Monday.AddHours(3)));
        await SendAsync(new RecordSupersession(serial, certificate, Monday.AddHours(4)));
        var entry = (await EntryAsync(serial))!;
        entry.Reason.ShouldBe(X509RevocationReason.KeyCompromise);
        entry.RevokedAt.ShouldBe(Monday.AddHours(1));
    }
}
