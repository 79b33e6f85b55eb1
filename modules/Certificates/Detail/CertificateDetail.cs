using Marten;
using Microsoft.AspNetCore.Http;
using MySign.Certificates.Domain;
using MySign.TrustServices.Contracts;
using MySign.Kernel.Web;
using Wolverine.Http;

namespace MySign.Certificates.Detail;

public sealed record CertificateDetailView(string UniqueIdentifier, string GivenName, string Surname, string SerialNumber, string Country,
    string Alias, string Domain, string StatusKey, DateTimeOffset ActivatedAt, DateTimeOffset ExpiresAt, string CertificateSerial,
    string CaCountry, string CaName, string CaOrganisation, string CaUnit, string OcspUrl = "", string TsaUrl = "", string ChainUrl = "", string CrlUrl = "");

/// <summary>The certificate's detail page (holder and certifying-authority blocks) and its download.</summary>
public static class CertificateDetailEndpoints
{
    [WolverineGet("/certificate")]
    public static async Task<IResult> Detail(HttpContext context, IQuerySession session, TimeProvider clock, PortalUrl portal)
    {
        var c = await session.LoadAsync<HolderCertificate>(context.HolderId(), context.RequestAborted);
        if (c is null) return Results.NotFound();
        var view = new CertificateDetailView(c.UniqueIdentifier, c.GivenName, c.Surname, "TINIT-" + c.FiscalCode, "IT", c.Id, "MySign",
            "certificate.status." + c.StatusAt(clock.GetUtcNow()).ToString().ToLowerInvariant(), c.ActivatedAt, c.ExpiresAt, c.SerialNumber,
            "IT", CertificationAuthority.Name, CertificationAuthority.Organisation, CertificationAuthority.Unit, portal.For(TrustServicePages.Ocsp), portal.For(TrustServicePages.Tsa),
            TrustServicePages.Chain, TrustServicePages.IssuingCrl);
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
}
