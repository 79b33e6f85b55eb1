using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Domain;

[assembly: JasperFx.JasperFxAssembly]

namespace MySign.Certificates.Custody;

/// <summary>
/// How many holder keys (and live CSC grants) are in each form: "token" (wrapped by the token's key, sealed under the PIN or
/// SAD) or "pkcs8" (sealed before the HSM, moved into the token the next time its PIN opens it). Only counts: nothing is opened.
/// </summary>
public sealed record KeyForms(int HolderKeysInToken, int HolderKeysPkcs8, int GrantsInToken, int GrantsPkcs8)
{
    public static async Task<KeyForms> CountAsync(IQuerySession session, DateTimeOffset now, CancellationToken cancellation)
    {
        var certificates = session.Query<HolderCertificate>().Where(c => c.Key != null);
        var grants = session.Query<CscAuthorization>().Where(g => g.ExpiresAt > now);
        int inToken = await certificates.CountAsync(c => c.Key!.WrappedBy != null, cancellation), pkcs8 = await certificates.CountAsync(c => c.Key!.WrappedBy == null, cancellation);
        int grantsInToken = await grants.CountAsync(g => g.WrappedBy != null, cancellation), grantsPkcs8 = await grants.CountAsync(g => g.WrappedBy == null, cancellation);
        return new(inToken, pkcs8, grantsInToken, grantsPkcs8);
    }
}

/// <summary>`dotnet MySign.Web.dll keys-status`: the holder keys and live CSC grants in each form, for the migration to the HSM.</summary>
[Description("Counts holder keys and live CSC grants in each form (token-wrapped, or PKCS#8 from before the HSM)", Name = "keys-status")]
public sealed class KeysStatusCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var forms = await KeyForms.CountAsync(session, TimeProvider.System.GetUtcNow(), CancellationToken.None);
        Console.WriteLine($"holder keys: token {forms.HolderKeysInToken}, pkcs8 {forms.HolderKeysPkcs8}");
        Console.WriteLine($"live CSC grants: token {forms.GrantsInToken}, pkcs8 {forms.GrantsPkcs8}");
        if (forms.HolderKeysPkcs8 > 0)
            Console.WriteLine("A PKCS#8 key moves into the token the next time its PIN opens it (a signature, a PIN change, a renewal step).");
        return true;
    }
}
