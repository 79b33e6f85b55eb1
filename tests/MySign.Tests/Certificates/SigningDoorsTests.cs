using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using Npgsql;
using Wolverine;

namespace MySign.Tests.Certificates;

/// <summary>
/// The signature activation module's doors hold their rules themselves, whatever the module that asks checked before
/// (docs/adr/0021): an authorisation beyond the credential's rule, or for a credential that is not the holder's active one,
/// is refused before any factor is tried (no OTP spent, no PIN counted), and is audited; a SAD stops signing the moment its
/// certificate is suspended.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SigningDoorsTests(AppFixture app)
{
    private const string Pin = "13572468";
    private static readonly string Hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData("contratto"u8));

    private static SecondFactor NoCode => new(Guid.NewGuid(), "csc.authorize", "-", "00000000");

    public static TheoryData<string, string, string> Asks => new()
    {
        { "SCAL2 without the hashes", "request", "SCAL2" },
        { "more hashes than signatures", "request", "SCAL2" },
        { "more than a remote credential allows", "request", "between 1 and 1000" },
        { "a SAD living an hour", "request", "at most 5 minutes" },
        { "another holder's credential", "credential", "" },
    };

    [Theory]
    [MemberData(nameof(Asks))]
    public async Task an_authorisation_beyond_the_rule_is_refused_before_any_factor_and_audited(string ask, string field, string said)
    {
        var (bus, holder, credential) = await HolderAsync();
        var now = DateTimeOffset.UtcNow;
        var request = ask switch
        {
            "SCAL2 without the hashes" => new AuthorizeSignatures(holder, credential, Pin, NoCode, AuthorizationDoor.CscAuthorize, 1, null, now.AddMinutes(5)),
            "more hashes than signatures" => new AuthorizeSignatures(holder, credential, Pin, NoCode, AuthorizationDoor.CscAuthorize, 1, [Hash, Hash], now.AddMinutes(5)),
            "more than a remote credential allows" => new AuthorizeSignatures(holder, credential, Pin, NoCode, AuthorizationDoor.CscAuthorize, 1001,
                [.. Enumerable.Repeat(Hash, 1001)], now.AddMinutes(5)),
            "a SAD living an hour" => new AuthorizeSignatures(holder, credential, Pin, NoCode, AuthorizationDoor.OAuthConsent, 1, [Hash], now.AddHours(1)),
            _ => new AuthorizeSignatures(holder, Guid.NewGuid(), Pin, NoCode, AuthorizationDoor.CscAuthorize, 1, [Hash], now.AddMinutes(5)),
        };

        var answer = await bus.InvokeAsync<SignaturesAuthorized>(request);

        answer.Sad.ShouldBeNull(ask);
        answer.Refused!.Field.ShouldBe(field, ask);
        answer.Refused.ErrorKey.ShouldContain(said, customMessage: ask);
        var outcomes = await AuditAsync(holder);
        outcomes.ShouldHaveSingleItem(ask).ShouldStartWith("refused:");
        outcomes.ShouldNotContain(o => o.Contains("otp") || o.Contains("pin"), "no factor was tried");
        (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(holder))).Credential!.PinAttemptsLeft.ShouldBe(5, "no PIN was counted");
    }

    [Fact]
    public async Task a_sad_signs_nothing_once_its_certificate_is_suspended_whoever_asks()
    {
        var (bus, holder, credential) = await HolderAsync();
        await bus.InvokeAsync(new SuspendCertificateNow(holder, "test", CertificateDoor.NotMe));

        var signed = await bus.InvokeAsync<SadSignatures>(new SignHashesWithSad(holder, credential, "any SAD", [Hash]));
        var extended = await bus.InvokeAsync<SadExtended>(new ExtendSad(holder, credential, "any SAD", TimeSpan.FromMinutes(5)));

        signed.Refusal.ShouldBe("The credential is not active");
        signed.Signatures.ShouldBeEmpty();
        extended.Refusal.ShouldBe("The credential is not active");
        (await AuditAsync(holder)).Count(o => o == "refused: credential not active").ShouldBe(2);
    }

    [Fact]
    public async Task a_suspension_ends_every_unspent_sad_so_none_signs_again_after_the_reactivation()
    {
        var (bus, holder, credential) = await HolderAsync();
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new MySign.Certificates.Custody.CscAuthorization { Id = "G" + Guid.NewGuid().ToString("N"), HolderId = holder, CredentialId = credential,
                Remaining = 1, ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(5) });
            await session.SaveChangesAsync();
        }

        await bus.InvokeAsync(new SuspendCertificateNow(holder, "suspectedMisuse", CertificateDoor.NotMe));

        await using var query = app.Store.QuerySession();
        (await query.Query<MySign.Certificates.Custody.CscAuthorization>().CountAsync(g => g.HolderId == holder)).ShouldBe(0);
    }

    private async Task<(IMessageBus Bus, string Holder, Guid Credential)> HolderAsync()
    {
        var holder = await Holders.CreateAsync(app.Store, "Dora", "Porte");
        var bus = app.Host.Services.CreateScope().ServiceProvider.GetRequiredService<IMessageBus>();
        var issued = await bus.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Dora", "Porte", "PRTDRO80A41H501U", Pin));
        return (bus, holder.Id, issued.CertificateId);
    }

    /// <summary>The signature activation module's audit of this holder's activations (the key made at issuance left out).</summary>
    private async Task<List<string>> AuditAsync(string holder)
    {
        var outcomes = new List<string>();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select outcome from certificates.sam_activations where holder_id = $1 and outcome <> 'made' order by at, id", connection)
        { Parameters = { new() { Value = holder } } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) outcomes.Add(reader.GetString(0));
        return outcomes;
    }
}
