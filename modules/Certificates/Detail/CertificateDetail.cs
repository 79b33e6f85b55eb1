using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Authority;
using MySign.Certificates.Domain;
using MySign.Certificates.Issuance;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.Certificates.Detail;

public sealed record CertificateDetailView(string UniqueIdentifier, string GivenName, string Surname, string SerialNumber, string Country,
    string Alias, string Domain, string StatusKey, DateTimeOffset ActivatedAt, DateTimeOffset ExpiresAt, string CertificateSerial,
    string CaCountry, string CaName, string CaOrganisation, string CaUnit, string OcspUrl = "", string TsaUrl = "");

/// <summary>The certificate's detail page (holder and certifying-authority blocks), its download, and the public CA files and CRL.</summary>
public static class CertificateDetailEndpoints
{
    [WolverineGet("/certificate")]
    public static async Task<IResult> Detail(HttpContext context, IQuerySession session, TimeProvider clock, PortalUrl portal)
    {
        var c = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        if (c is null) return Results.NotFound();
        var view = new CertificateDetailView(c.UniqueIdentifier, c.GivenName, c.Surname, "TINIT-" + c.FiscalCode, "IT", c.Id, "MySign",
            "certificate.status." + c.StatusAt(clock.GetUtcNow()).ToString().ToLowerInvariant(), c.ActivatedAt, c.ExpiresAt, c.SerialNumber,
            "IT", CertificateAuthority.Name, CertificateAuthority.Organisation, CertificateAuthority.Unit, portal.For("/ocsp"), portal.For("/tsa"));
        return new HtmlView(typeof(CertificateDetailEndpoints).Assembly, "Detail/CertificateDetail", view, "certificate.detail.title") { Partial = false };
    }

    [WolverineGet("/certificate/download/{format}")]
    public static async Task<IResult> Download(string format, HttpContext context, IQuerySession session)
    {
        var c = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        if (c is null) return Results.NotFound();
        var name = $"{c.UniqueIdentifier}";
        return format switch
        {
            "pem" => Results.File(System.Text.Encoding.ASCII.GetBytes(new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", c.Der)) + "\n"), "application/x-pem-file", name + ".pem"),
            "der" => Results.File(c.Der, "application/pkix-cert", name + ".cer"),
            _ => Results.NotFound(),
        };
    }

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
        return new HtmlView(typeof(CertificateDetailEndpoints).Assembly, "Detail/Disclosure",
            new DisclosureView(language, portal.For("/ocsp"), portal.For("/tsa"), portal.For("/crl/issuing.crl")), "pds.title") { Partial = false };
    }

    /// <summary>
    /// The CRLs at the URLs written in the certificates (the issuing CA's in every certificate it made, the root's in the
    /// issuing CA's); rebuilt here too when the stored one is due.
    /// </summary>
    [WolverineGet("/crl/{name}"), AllowAnonymous]
    public static async Task<IResult> Crl(string name, IDocumentStore store, Issuer issuer, TimeProvider clock, HttpContext context)
    {
        var which = name switch { "issuing.crl" => CrlDocument.Issuing, "root.crl" => CrlDocument.Root, _ => null };
        if (which is null) return Results.NotFound();
        var crl = await issuer.CurrentCrlAsync(store, which, clock.GetUtcNow(), context.RequestAborted);
        context.Response.Headers.CacheControl = "public, max-age=60";
        return Results.File(crl.Der, "application/pkix-crl");
    }
}
