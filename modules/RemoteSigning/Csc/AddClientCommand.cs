using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;

[assembly: JasperFx.JasperFxAssembly]

namespace MySign.RemoteSigning.Csc;

public sealed class AddClientInput : NetCoreInput
{
    [Description("The client_id the application will send (letters, digits, . _ -)")]
    public string ClientId { get; set; } = "";

    [Description("The name the holder reads on the consent page")]
    public string Name { get; set; } = "";

    [Description("Its redirect URIs, each matched exactly")]
    public string[] RedirectUris { get; set; } = [];
}

/// <summary>
/// The TSP's admin step that registers a CSC OAuth client: `dotnet MySign.Web.dll csc-client-add wallet.eudi "EU Wallet" https://wallet.example/cb`.
/// Public clients: PKCE S256 is what binds a code to the application that asked for it.
/// </summary>
[Description("Registers a CSC API OAuth 2.0 client (client_id, name, redirect URIs)", Name = "csc-client-add")]
public sealed class AddClientCommand : JasperFxAsyncCommand<AddClientInput>
{
    public override async Task<bool> Execute(AddClientInput input)
    {
        var id = input.ClientId.Trim();
        var uris = input.RedirectUris.Select(u => u.Trim()).ToList();
        var problem = id.Length is < 3 or > 100 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? "the client_id must be 3-100 letters, digits, '.', '_' or '-'"
            : input.Name.Trim().Length is < 2 or > 100 ? "the name must be 2-100 characters"
            : uris.Count == 0 ? "at least one redirect URI is required"
            : uris.FirstOrDefault(u => RedirectProblem(u) is not null) is { } bad ? $"{bad}: {RedirectProblem(bad)}" : null;
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync("csc-client-add: " + problem);
            return false;
        }
        using var host = input.BuildHost();
        await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Insert(new OAuthClient { Id = id, Name = input.Name.Trim(), RedirectUris = uris, CreatedAt = TimeProvider.System.GetUtcNow() });
        session.Insert(Kernel.Operations.CommandAudit.Of("csc-client-add", $"{id} name={input.Name.Trim()} redirect={string.Join(' ', uris)}", TimeProvider.System.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync();
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            await Console.Error.WriteLineAsync($"csc-client-add: the client {id} already exists");
            return false;
        }
        Console.WriteLine($"CSC OAuth client {id} registered");
        return true;
    }

    /// <summary>An absolute URI without a fragment; plain http only for the machine itself (RFC 8252 loopback redirects).</summary>
    public static string? RedirectProblem(string uri) =>
        !Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? "not an absolute URI"
        : parsed.Fragment.Length > 0 ? "a redirect URI has no fragment"
        : parsed.Scheme == "http" && !parsed.IsLoopback ? "plain http is allowed only for a loopback address"
        : parsed.Scheme is "javascript" or "data" or "file" ? "not a redirect URI"
        : null;
}
