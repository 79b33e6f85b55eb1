using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.Kernel.Web;
using MySign.TrustServices.Authority;
using MySign.TrustServices.Crl;
using MySign.TrustServices.Domain;
using Wolverine.Http;

namespace MySign.TrustServices.Public;

/// <summary>What the CA publishes at the addresses written in its certificates: its certificates, its CRLs and its disclosure statement.</summary>
public static class PublicEndpoints
{
    [WolverineGet("/ca/{file}"), AllowAnonymous]
    public static async Task<IResult> Authority(string file, CertificateAuthority authority, HttpContext context)
    {
        var (root, issuing) = await authority.GetAsync(context.RequestAborted);
        // The caIssuers address in every holder certificate (RFC 5280 §4.2.2.1: DER).
        if (file == "issuing.cer") return Results.File(issuing.RawData, "application/pkix-cert", "issuing.cer");
        // The caIssuers address in the issuing CA's certificate.
        if (file == "root.cer") return Results.File(root.RawData, "application/pkix-cert", "root.cer");
        var pem = file switch
        {
            "root.pem" => root.ExportCertificatePem(),
            "issuing.pem" => issuing.ExportCertificatePem(),
            "chain.pem" => issuing.ExportCertificatePem() + "\n" + root.ExportCertificatePem(),
            _ => null,
        };
        return pem is null ? Results.NotFound() : Results.Text(pem + "\n", "application/x-pem-file");
    }

    public sealed record DisclosureView(string Language, string OcspUrl, string TsaUrl, string CrlUrl);

    /// <summary>The PKI disclosure statement (ETSI EN 319 411-1 annex A) at the addresses written in every certificate (QcPDS).</summary>
    [WolverineGet("/pds/{language}"), AllowAnonymous]
    public static IResult Disclosure(string language, PortalUrl portal)
    {
        if (language is not ("en" or "it")) return Results.NotFound();
        // The statement is in the language its address names, whatever the reader's page language.
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(language);
        return new HtmlView(typeof(PublicEndpoints).Assembly, "Public/Disclosure",
            new DisclosureView(language, portal.For("/ocsp"), portal.For("/tsa"), portal.For("/crl/issuing.crl")), "pds.title") { Partial = false };
    }

    /// <summary>
    /// The CRLs at the URLs written in the certificates (the issuing CA's in every certificate it made, the root's in the
    /// issuing CA's); rebuilt here too when the stored one is due.
    /// </summary>
    [WolverineGet("/crl/{name}"), AllowAnonymous]
    public static async Task<IResult> Crl(string name, Crls crls, TimeProvider clock, HttpContext context)
    {
        var which = name switch { "issuing.crl" => CrlDocument.Issuing, "root.crl" => CrlDocument.Root, _ => null };
        if (which is null) return Results.NotFound();
        var crl = await crls.CurrentAsync(which, clock.GetUtcNow(), context.RequestAborted);
        context.Response.Headers.CacheControl = "public, max-age=60";
        return Results.File(crl.Der, "application/pkix-crl");
    }
}
