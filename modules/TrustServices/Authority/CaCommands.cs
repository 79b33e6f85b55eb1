using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;

[assembly: JasperFx.JasperFxAssembly]

namespace MySign.TrustServices.Authority;

public sealed class CaCeremonyInput : NetCoreInput
{
    [Description("Also write root.pem, issuing.pem and root-crl.pem (certificates and the CRL only) into this folder")]
    public string OutFlag { get; set; } = "";
}

/// <summary>
/// `dotnet MySign.Web.dll ca-ceremony`: with the root's own token attached (Hsm__Root__Library, Hsm__Root__TokenLabel,
/// Hsm__Root__Pin) and the online token (Hsm__*), makes what the CA lacks — the root's key and certificate, the issuing CA's
/// key and its certificate signed by the root — and signs the next root CRL. Run it once per deployment and then once a year.
/// </summary>
[Description("The CA key ceremony: root in its own token, issuing CA in the online token, the root's CRL; exports certificates only", Name = "ca-ceremony")]
public sealed class CaCeremonyCommand : JasperFxAsyncCommand<CaCeremonyInput>
{
    public override async Task<bool> Execute(CaCeremonyInput input)
    {
        using var host = input.BuildHost();
        var ceremony = host.Services.GetRequiredService<CaCeremony>();
        var now = TimeProvider.System.GetUtcNow();
        var report = await ceremony.RunAsync(now, CancellationToken.None, renewRootCrl: true);
        await RecordAsync(host.Services, "ca-ceremony", report, now);
        return await ExportAsync(report, input.OutFlag);
    }

    internal static async Task RecordAsync(IServiceProvider services, string command, CaCeremony.Report report, DateTimeOffset now)
    {
        await using var session = services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Insert(Kernel.Operations.CommandAudit.Of(command,
            $"root={report.Root.Thumbprint} issuing={report.Issuing.Thumbprint} root-crl={report.RootCrl.Number}: {string.Join("; ", report.Done)}", now));
        await session.SaveChangesAsync();
    }

    internal static async Task<bool> ExportAsync(CaCeremony.Report report, string folder)
    {
        foreach (var line in report.Done) Console.WriteLine(line);
        Console.WriteLine($"root:    {report.Root.Subject} SHA-256 {report.Root.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)}");
        Console.WriteLine($"issuing: {report.Issuing.Subject} SHA-256 {report.Issuing.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)}");
        if (folder.Length == 0) return true;
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "root.pem"), report.Root.ExportCertificatePem() + "\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "issuing.pem"), report.Issuing.ExportCertificatePem() + "\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "root-crl.pem"), System.Security.Cryptography.PemEncoding.WriteString("X509 CRL", report.RootCrl.Der) + "\n");
        Console.WriteLine($"certificates and the root CRL written to {folder}");
        return true;
    }
}

/// <summary>
/// `dotnet MySign.Web.dll ca-import`: once, for a deployment made before the HSM: the CA keys it kept (under Data Protection in
/// the database, or the PKCS#12 of Certificates__Ca__RootPfx / IssuingPfx) go into the tokens — the root's into its own
/// (Hsm__Root__*), the issuing CA's into the online token — and the old copies are removed. Then unset the PFX settings.
/// </summary>
[Description("Moves the CA keys kept before the HSM into the tokens, once", Name = "ca-import")]
public sealed class CaImportCommand : JasperFxAsyncCommand<CaCeremonyInput>
{
    public override async Task<bool> Execute(CaCeremonyInput input)
    {
        using var host = input.BuildHost();
        var now = TimeProvider.System.GetUtcNow();
        var report = await host.Services.GetRequiredService<CaCeremony>().ImportAsync(now, CancellationToken.None);
        await CaCeremonyCommand.RecordAsync(host.Services, "ca-import", report, now);
        return await CaCeremonyCommand.ExportAsync(report, input.OutFlag);
    }
}
