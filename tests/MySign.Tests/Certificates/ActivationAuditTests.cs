using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using Npgsql;
using Wolverine;

namespace MySign.Tests.Certificates;

/// <summary>
/// The signature activation module's audit (EN 419 241-1) names, for every new key, the door that made it; and a renewal
/// that finds the certificate no longer active answers why instead of throwing.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ActivationAuditTests(AppFixture app)
{
    [Fact]
    public async Task a_new_key_is_audited_under_the_door_that_made_it_issuance_renewal_or_the_rao_desk_s_new_pin()
    {
        var holder = await Holders.CreateAsync(app.Store, "Ugo", "Registro");
        using var scope = app.Host.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        await bus.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Ugo", "Registro", "RGSUGO80A01H501U", "13572468"));
        (await bus.InvokeAsync<RenewalOutcome>(new RenewCertificate(holder.Id, "24681357", Guid.NewGuid()))).Issued.ShouldNotBeNull();
        await bus.InvokeAsync<CertificateReissued>(new ReissueAfterForgottenPin(holder.Id, "97531864"));

        var made = new List<string>();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select door from certificates.sam_activations where holder_id = $1 and outcome = 'made' order by at, id", connection)
        { Parameters = { new() { Value = holder.Id } } };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) made.Add(reader.GetString(0));
        made.ShouldBe(["issue", "renewal", "rao-new-pin"]);
    }

    [Fact]
    public async Task renewing_a_certificate_suspended_since_the_renewal_began_answers_why_and_issues_nothing()
    {
        var holder = await Holders.CreateAsync(app.Store, "Rita", "Sospesa");
        using var scope = app.Host.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var issued = await bus.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Rita", "Sospesa", "SSPRTI80A41H501U", "13572468"));
        await bus.InvokeAsync(new SuspendCertificateNow(holder.Id, "test", CertificateDoor.NotMe));

        var outcome = await bus.InvokeAsync<RenewalOutcome>(new RenewCertificate(holder.Id, "24681357", Guid.NewGuid()));

        outcome.Issued.ShouldBeNull();
        outcome.Refusal.ShouldBe("renewal.error.not_active");
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<MySign.Certificates.Domain.HolderCertificate>(holder.Id))!.UniqueIdentifier.ShouldBe(issued.UniqueIdentifier);
    }
}
