using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.RemoteSigning.Csc;
using MySign.RemoteSigning.Signing;

namespace MySign.RemoteSigning;

/// <summary>
/// Remote signing (docs/adr/0021): the CSC API v2 with its OAuth 2.0 server, Sign a document in the portal, and the PAdES and
/// CAdES writers. It never sees a key: Certificates' signature activation module checks each activation and signs the hashes
/// this module drafts, through the requests in Certificates' contracts; TrustServices answers the chain and the time-stamps.
/// </summary>
public static class RemoteSigningModule
{
    public const string Schema = "remotesigning";

    public static IServiceCollection AddRemoteSigning(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<CscToken>().DatabaseSchemaName(Schema);
            options.Schema.For<CscOtp>().DatabaseSchemaName(Schema);
            options.Schema.For<OAuthClient>().DatabaseSchemaName(Schema);
            options.Schema.For<OAuthRequest>().DatabaseSchemaName(Schema).Index(r => r.HolderId);
            options.Schema.For<OAuthCode>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true);
            options.Schema.For<SignedDocument>().DatabaseSchemaName(Schema).Index(d => d.HolderId);
        });
        services.AddSingleton<TrustServicesClient>();
        services.AddSingleton<Cades>();
        services.AddSingleton<Pades>();
        return services;
    }

    /// <summary>The documents that moved here from the Certificates schema (the release migration moves their tables once).</summary>
    public static readonly string[] MovedTables =
        ["mt_doc_csctoken", "mt_doc_cscotp", "mt_doc_oauthclient", "mt_doc_oauthrequest", "mt_doc_oauthcode", "mt_doc_signeddocument"];
}
