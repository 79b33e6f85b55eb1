using MySign.Kernel.Brand;

namespace MySign.Web.Infrastructure;

/// <summary>
/// Who the TSP is in mail footers and letterheads. Its own <c>Tsp</c> settings come first; whatever is not set there is
/// taken from the seller Production must name for its invoices (<c>Billing:Seller</c>) and the portal's address, so a
/// release never speaks as the demo company. Development, with neither, keeps the demo identity.
/// </summary>
public static class TspIdentity
{
    public static void FromRelease(TspOptions tsp, IConfiguration configuration)
    {
        var own = configuration.GetSection("Tsp");
        var seller = configuration.GetSection("Billing:Seller");
        string? Seller(string key) => seller[key] is { Length: > 0 } value ? value : null;
        bool Unset(string key) => string.IsNullOrWhiteSpace(own[key]);

        if (Unset(nameof(TspOptions.LegalName)) && Seller("Name") is { } name) tsp.LegalName = name;
        if (Unset(nameof(TspOptions.Address)) && Seller("Street") is { } street)
            tsp.Address = $"{street}, {Seller("PostCode")} {Seller("City")} ({Seller("Province")}), Italia";
        if (Unset(nameof(TspOptions.VatNumber)) && Seller("VatNumber") is { } vat) tsp.VatNumber = "IT" + vat;
        if (Unset(nameof(TspOptions.SupportEmail)) && Seller("Email") is { } email) tsp.SupportEmail = email;
        if (Unset(nameof(TspOptions.SupportPhone)) && Seller("Phone") is { } phone) tsp.SupportPhone = phone;
        if (Unset(nameof(TspOptions.Web)) && configuration["Portal:BaseUrl"] is { Length: > 0 } web) tsp.Web = web;
    }
}
