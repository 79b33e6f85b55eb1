using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MySign.Kernel.Web;

/// <summary>
/// The portal's public address, the one setting (Portal:BaseUrl) behind every absolute URL: links in e-mails, the CRL
/// and CA addresses in certificates, payment returns. Never taken from a request's Host header. Required in
/// Production (the host refuses to start without it); in Development it is the address the host listens on, so
/// `PORT=5050 make run` mails links to http://localhost:5050 (`make run` listens on localhost, and a wildcard host is
/// written so too): the name people open, and the only loopback name a browser accepts for passkeys.
/// </summary>
public sealed class PortalUrl
{
    public string Base { get; }

    public PortalUrl(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration["Portal:BaseUrl"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (!Uri.TryCreate(configured, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new InvalidOperationException($"Portal:BaseUrl must be an absolute http(s) URL, not '{configured}'.");
            Base = configured.TrimEnd('/');
            return;
        }
        if (!environment.IsDevelopment())
            throw new InvalidOperationException("Portal:BaseUrl must be configured in Production and every environment but Development (Portal__BaseUrl=https://your.portal): " +
                                                "it is written into e-mails and certificates.");
        Base = FromListenAddress(configuration["urls"]);
    }

    /// <summary>The first address the host listens on, with a wildcard host written "localhost"; else Kestrel's default.</summary>
    public static string FromListenAddress(string? urls)
    {
        var first = (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null) return "http://localhost:5000";
        var named = first.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost");
        return Uri.TryCreate(named, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "http://localhost:5000";
    }

    public string For(string pathAndQuery) => Base + pathAndQuery;
}
