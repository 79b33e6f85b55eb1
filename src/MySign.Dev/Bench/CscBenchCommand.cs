using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.RemoteSigning.Csc;
using MySign.Otp.Client;
using Wolverine;

namespace MySign.Dev.Bench;

public sealed class CscBenchInput : NetCoreInput
{
    [Description("The (bench) holder's User ID; an automatic-signature certificate is issued to it")]
    public string Holder { get; set; } = "";
}

/// <summary>
/// `make bench` part: what a back office does once before a signing run — an automatic-signature credential, a service
/// token and one authorisation — done here in-process (the bench has no phone to read): the certificate is issued through
/// Certificates' own message, the OTP is sent to a sandbox phone and read back, and the signature activation module
/// authorises with PIN + OTP exactly as credentials/authorize does. Prints "token credentialID SAD" for wrk's signHash calls.
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
        var bus = services.GetRequiredService<IMessageBus>();
        var store = services.GetRequiredService<IDocumentStore>();
        await bus.InvokeAsync<CertificateIssued>(new IssueCertificate(input.Holder, "Bench", "Automatic", "BNCTMT80A01H501U", BenchPin, Automatic: true));
        var phone = "+3934" + Random.Shared.Next(10_000_000, 99_999_999);
        await bus.RegisterOtpPhoneAsync(input.Holder, phone, CancellationToken.None);
        var certificate = (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(input.Holder))).Credential!;
        var sent = await bus.SendOtpAsync(input.Holder, CscApi.OtpPurpose, certificate.CredentialId.ToString(), CancellationToken.None);
        var code = (await SandboxTexts.CodesAsync(store, s => s.To == phone))[phone];
        var now = clock.GetUtcNow();
        var otp = new SecondFactor(sent.ChallengeId, CscApi.OtpPurpose, certificate.CredentialId.ToString(), code);
        var grant = await bus.InvokeAsync<SignaturesAuthorized>(new AuthorizeSignatures(input.Holder, certificate.CredentialId, BenchPin, otp,
            AuthorizationDoor.CscAuthorize, int.MaxValue, null, now + certificate.SadLifetime));
        if (grant.Refused is { } refused) throw new InvalidOperationException($"csc-bench: not authorised ({refused.Field}: {refused.ErrorKey})");
        var (token, stored, _) = CscApi.NewToken(input.Holder, CscToken.ServiceScope, null, null, null, null, now + CscApi.TokenLifetime, clock);
        await using (var session = store.LightweightSession())
        {
            session.Store(stored);
            await session.SaveChangesAsync();
        }
        await host.StopAsync();
        Console.WriteLine($"{token} {certificate.CredentialId} {grant.Sad}");
        return true;
    }
}
