using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.RemoteSigning.Signing;
using MySign.Otp.Client;
using Wolverine;

namespace MySign.Dev.Bench;

public sealed class SignBenchInput : NetCoreInput
{
    [Description("How many holders sign (one document each, each with their own certificate, PIN and OTP)")]
    public int HoldersFlag { get; set; } = 64;

    [Description("Holders signing at the same time")]
    public int WorkersFlag { get; set; } = 4;
}

/// <summary>
/// `make bench` part: "Sign a document" as the portal does it after the upload, in-process (a holder's OTP is single use and
/// spaced 30 s, so wrk cannot replay it): the CAdES signed attributes are drafted, the signature activation module checks
/// the PIN (Argon2id) and the OTP and signs in the token (unwrap, sign, destroy), and the signature is completed with a
/// time-stamp from the TSA (signed in the token too). Each holder signs once; prints the latencies.
/// </summary>
[Description("Measures Sign a document through the signature activation module and the token", Name = "sign-bench")]
public sealed class SignBenchCommand : JasperFxAsyncCommand<SignBenchInput>
{
    private const string BenchPin = "46192837";

    public override async Task<bool> Execute(SignBenchInput input)
    {
        using var host = input.BuildHost();
        await host.StartAsync();
        var services = host.Services;
        var bus = services.GetRequiredService<IMessageBus>();
        var store = services.GetRequiredService<IDocumentStore>();
        var run = Random.Shared.Next(10_000, 99_999);
        var holders = Enumerable.Range(0, input.HoldersFlag).Select(i => (Id: $"s{run}{i:D4}", Phone: $"+39345{run}{i:D4}")).ToList();
        var otps = new SecondFactor[holders.Count];
        for (var i = 0; i < holders.Count; i++)
        {
            var (id, phone) = holders[i];
            await bus.InvokeAsync<CertificateIssued>(new IssueCertificate(id, "Bench", "Signer", "BNCSGN80A01H501U", BenchPin));
            await bus.RegisterOtpPhoneAsync(id, phone, CancellationToken.None);
            var certificate = (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(id))).Credential!;
            var sent = await bus.SendOtpAsync(id, SignDocumentEndpoints.Purpose, certificate.CredentialId.ToString(), CancellationToken.None);
            var code = (await SandboxTexts.CodesAsync(store, s => s.To == phone))[phone];
            otps[i] = new SecondFactor(sent.ChallengeId, SignDocumentEndpoints.Purpose, certificate.CredentialId.ToString(), code);
        }

        var cades = services.GetRequiredService<Cades>();
        var (_, issuing) = await services.GetRequiredService<TrustServicesClient>().ChainAsync(bus, CancellationToken.None);
        var latencies = new double[holders.Count];
        var signed = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, input.WorkersFlag).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < holders.Count)
            {
                var started = Stopwatch.GetTimestamp();
                // As the portal's Sign a document does: the credential, the draft, then PIN and OTP through the signature activation module's door.
                var certificate = (await bus.InvokeAsync<SigningCredentialFound>(new GetSigningCredential(holders[i].Id))).Credential!;
                using var signer = X509CertificateLoader.LoadCertificate(certificate.Der);
                var draft = Cades.Draft(SHA256.HashData(RandomNumberGenerator.GetBytes(4096)), signer, issuing, TimeProvider.System.GetUtcNow());
                var activated = await bus.InvokeAsync<SignedWithPin>(new SignWithPin(certificate.HolderId, certificate.CredentialId, BenchPin, otps[i], [draft.Hash]));
                if (activated.Signatures is { } signatures)
                {
                    await cades.CompleteAsync(draft, signatures[0], timeStamp: true, bus, CancellationToken.None);
                    Interlocked.Increment(ref signed);
                }
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        Console.WriteLine($"sign a document: {holders.Count / seconds:F1}/s p50 {latencies[holders.Count / 2]:F1} ms p99 {latencies[(int)(holders.Count * 0.99)]:F1} ms " +
                          $"({signed}/{holders.Count} signed, {input.WorkersFlag} at once)");
        await host.StopAsync();
        return signed == holders.Count;
    }
}
