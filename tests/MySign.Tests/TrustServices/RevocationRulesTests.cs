using System.Security.Cryptography.X509Certificates;
using MySign.TrustServices.Domain;

namespace MySign.Tests.TrustServices;

/// <summary>The CRL entry after each request, whatever was there (STYLE.md, "Tests as tables"): nothing makes a revoked or held serial good by accident.</summary>
public sealed class RevocationRulesTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private const X509RevocationReason Hold = X509RevocationReason.CertificateHold, Compromise = X509RevocationReason.KeyCompromise,
        Superseded = X509RevocationReason.Superseded;

    private static RevocationEntry Entry(X509RevocationReason reason, DateTimeOffset at) => new() { Id = "0A", RevokedAt = at, Reason = reason };

    public static TheoryData<string, RevocationEntry?, X509RevocationReason, int, X509RevocationReason?, int?> Records() => new()
    {
        // what is there, what is asked (minutes after T), what stands after (reason, minutes)
        { "a first hold", null, Hold, 0, Hold, 0 },
        { "a first revocation", null, Compromise, 0, Compromise, 0 },
        { "a later hold replaces a hold", Entry(Hold, T), Hold, 5, Hold, 5 },
        { "the same hold again changes nothing", Entry(Hold, T), Hold, 0, null, null },
        { "an older hold arriving late changes nothing", Entry(Hold, T), Hold, -5, null, null },
        { "a revocation replaces a hold, even stamped earlier", Entry(Hold, T), Compromise, -5, Compromise, -5 },
        { "a supersession replaces a hold", Entry(Hold, T), Superseded, 5, Superseded, 5 },
        { "a hold never replaces a revocation", Entry(Compromise, T), Hold, 5, null, null },
        { "a revocation is not moved in time", Entry(Compromise, T), Compromise, 5, null, null },
        { "a supersession does not change a revocation's reason", Entry(Compromise, T), Superseded, 5, null, null },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void a_request_records_only_what_keeps_the_serial_at_least_as_revoked(string _, RevocationEntry? existing, X509RevocationReason asked, int at,
        X509RevocationReason? reason, int? minutes)
    {
        var recorded = RevocationRules.Record(existing, "0A", Guid.Empty, asked, T.AddMinutes(at));
        if (reason is null) recorded.ShouldBeNull();
        else
        {
            recorded.ShouldNotBeNull().Reason.ShouldBe(reason.Value);
            recorded.RevokedAt.ShouldBe(T.AddMinutes(minutes!.Value));
        }
    }

    [Fact]
    public void a_release_takes_off_only_the_hold_it_names()
    {
        RevocationRules.Releases(Entry(Hold, T), T).ShouldBeTrue();
        RevocationRules.Releases(Entry(Hold, T.AddMinutes(5)), T).ShouldBeFalse("a later suspension stays on the CRL");
        RevocationRules.Releases(Entry(Compromise, T), T).ShouldBeFalse("a revocation is never taken off");
        RevocationRules.Releases(Entry(Superseded, T), null).ShouldBeFalse();
        RevocationRules.Releases(null, T).ShouldBeFalse();
        RevocationRules.Releases(Entry(Hold, T), null).ShouldBeTrue("a suspension from before its time was kept");
    }
}
