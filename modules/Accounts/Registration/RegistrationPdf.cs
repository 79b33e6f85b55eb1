using System.Globalization;
using MySign.Accounts.Domain;
using MySign.Kernel.Documents;
using MySign.Kernel.Localization;
using MySign.Kernel.Rendering;

namespace MySign.Accounts.Registration;

/// <summary>
/// The Registration Request the holder and the operator sign at the desk: A4, the holder's data, User ID and IUT,
/// office, operator and date, the terms the holder accepts, and a signature box for each. Text stays extractable.
/// </summary>
public static class RegistrationPdf
{
    public static byte[] Build(HolderAccount holder, RaoOperator? registeredBy, string language, Kernel.Brand.TspOptions tsp)
    {
        string T(string key) => Strings.T(key, language);
        var culture = CultureInfo.GetCultureInfo(language == "it" ? "it-IT" : "en-GB");
        string Date(DateOnly? d) => d?.ToString("d", culture) ?? "";

        using var pdf = new SimplePdf();
        pdf.Letterhead(Letterhead.Of(tsp, language)).Text(T("pdf.registration.title"), 16, bold: true).Text(T("pdf.registration.subtitle"), 10).Gap(8)
            .Heading(T("pdf.registration.identifiers")).Row(T("personal.user_id"), holder.Id).Row("IUT", holder.Iut)
            .Heading(T("pdf.registration.holder"))
            .Row(T("registration.first_name"), holder.FirstName)
            .Row(T("registration.last_name"), holder.LastName)
            .Row(T("registration.fiscal_code"), holder.FiscalCode)
            .Row(T("registration.sex"), T("registration.sex." + holder.Sex.ToLowerInvariant()))
            .Row(T("registration.birth_date"), Date(holder.BirthDate) + " — " + holder.BirthPlace);
        if (holder.Document is { } document)
            pdf.Row(T("registration.section.document"),
                $"{T("registration.doc_type." + document.Type)} {document.Number}, {document.Issuer}, {T("registration.doc_expiry")} {Date(document.Expiry)}");
        pdf.Row(T("registration.email"), holder.Email)
            .Row(T("registration.mobile"), holder.RecoveryMobile)
            .Row(T("registration.address"), $"{holder.Address}, {holder.PostCode} {holder.City} ({holder.Province}) {holder.Country}")
            .Heading(T("pdf.registration.registration"))
            .Row(T("pdf.registration.office"), holder.Office)
            .Row(T("pdf.registration.operator"), registeredBy is null ? holder.RegisteredBy : $"{registeredBy.FullName} ({registeredBy.Id})")
            .Row(T("pdf.registration.date"), holder.RegisteredAt is { } at
                ? TimeZoneInfo.ConvertTime(at, TemplateFunctions.PortalTimeZone).ToString("g", culture) : "")
            .Heading(T("pdf.registration.terms"));
        foreach (var n in Enumerable.Range(1, 4)) pdf.Text(T($"pdf.registration.terms.{n}"), 9);
        return pdf.Gap(14).Boxes(70, T("pdf.registration.sign.holder"), T("pdf.registration.sign.operator"))
            .Text(T("pdf.registration.footer"), 8).Build();
    }
}
