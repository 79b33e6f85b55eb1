using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Certificates.Csc;
using MySign.Certificates.Domain;
using Wolverine;

namespace MySign.Dev.Bench;

public sealed class CscBenchInput : NetCoreInput
{
    [Description("The (bench) holder's User ID; an automatic-signature certificate is issued to it")]
    public string Holder { get; set; } = "";
}

/// <summary>
/// `make bench` part: what a back office does once before a signing run — an automatic-signature credential, a service
/// token and one authorisation — done here in-process (the bench has no phone to read the OTP from): the certificate is
/// issued through Certificates' own message, the key opened by the PIN check, the SAD sealed as credentials/authorize
/// seals it. Prints "token credentialID SAD" for wrk's signHash calls.
/// </summary>
[Description("Prepares an automatic credential, a token and a SAD for the signHash benchmark", Name = "csc-bench")]
public sealed class CscBenchCommand : JasperFxAsyncCommand<CscBenchInput>
{
    private const string BenchPin = "83749261";

    public override async Task<bool> Execute(CscBenchInput input)
    {
        using var host = input.BuildHost();
        await host.StartAsync();
        var services = host.Services;
        var clock = services.GetRequiredService<TimeProvider>();
        await services.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(
            new IssueCertificate(input.Holder, "Bench", "Automatic", "BNCTMT80A01H501U", BenchPin, Automatic: true));
        await using var session = services.GetRequiredService<IDocumentStore>().LightweightSession();
        var certificate = (await session.LoadAsync<HolderCertificate>(input.Holder))!;
        var (result, pkcs8) = await services.GetRequiredService<Certificates.Pin.PinCheck>().OpenAsync(certificate, BenchPin, CancellationToken.None);
        if (result != Certificates.Pin.PinResult.Ok) throw new InvalidOperationException("csc-bench: the PIN did not open the key");
        var now = clock.GetUtcNow();
        var (grant, sad) = CscGrants.Seal(input.Holder, certificate.CertificateId, pkcs8!, int.MaxValue, null, now + CscApi.AutomaticSadLifetime);
        session.Store(grant);
        var (token, _) = CscApi.IssueToken(session, input.Holder, CscToken.ServiceScope, null, null, null, now + CscApi.TokenLifetime, clock);
        await session.SaveChangesAsync();
        await host.StopAsync();
        Console.WriteLine($"{token} {certificate.CertificateId} {sad}");
        return true;
    }
}
