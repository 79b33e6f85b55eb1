using System.Xml.Linq;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace MySign.Web.Infrastructure;

/// <summary>A Data Protection key (antiforgery and cookie protection), shared by every app node.</summary>
public sealed class DataProtectionKey
{
    public string Id { get; set; } = "";
    public string Xml { get; set; } = "";
}

/// <summary>
/// Keeps the Data Protection key ring in PostgreSQL, so a form rendered by one node validates on another
/// (scaling out is more nodes on one database). Set DataProtection:CertificatePath in production to
/// encrypt the keys at rest.
/// </summary>
public sealed class MartenXmlRepository(IDocumentStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        // IXmlRepository is synchronous by contract and Marten 9 is async only; the key ring is read
        // once and cached by Data Protection (refreshed about daily), so blocking here is rare.
        using var session = store.QuerySession();
        var keys = session.Query<DataProtectionKey>().ToListAsync().GetAwaiter().GetResult();
        return keys.Select(k => XElement.Parse(k.Xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var session = store.LightweightSession();
        session.Store(new DataProtectionKey { Id = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        session.SaveChangesAsync().GetAwaiter().GetResult(); // rare: a new key every 90 days

    }
}

public static class DataProtectionSetup
{
    public static void AddSharedDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        // AES-256-GCM (one authenticated pass) for new keys instead of the default AES-CBC + HMAC; keys made
        // before keep their own algorithm until they expire.
        var protection = services.AddDataProtection().SetApplicationName("MySign")
            .UseCryptographicAlgorithms(new AuthenticatedEncryptorConfiguration { EncryptionAlgorithm = EncryptionAlgorithm.AES_256_GCM });
        var certificate = configuration["DataProtection:CertificatePath"];
        if (!string.IsNullOrEmpty(certificate))
            protection.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
                certificate, configuration["DataProtection:CertificatePassword"]));
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, ConfigureKeyRing>();
    }

    private sealed class ConfigureKeyRing(IServiceProvider services) : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options) =>
            options.XmlRepository = new MartenXmlRepository(services.GetRequiredService<IDocumentStore>());
    }
}
