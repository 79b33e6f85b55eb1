using System.Text.RegularExpressions;
using MySign.Billing.Domain;
using MySign.Billing.Invoicing;

namespace MySign.Billing.Store;

/// <summary>
/// The billing information an invoice needs, checked as the buyer types it so SdI never sees a file it would reject for
/// what we could have caught: the kind of buyer, Latin text within the invoice's lengths, an Italian postal code and
/// province, a consumer's codice fiscale, a company's Partita IVA (its check digit) and how SdI reaches it (codice
/// destinatario or PEC), a foreign buyer's country. Pure: the typed values in, the errors or the billing information out.
/// </summary>
public static partial class BillingForm
{
    public static readonly string[] Fields =
        ["type", "billing_name", "fiscal_code", "vat_number", "address", "post_code", "city", "province", "country", "recipient_code", "pec"];

    [GeneratedRegex("^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")]
    private static partial Regex PersonalFiscalCode();

    [GeneratedRegex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$")]
    private static partial Regex Email();

    [GeneratedRegex(@"^(?<street>.+),\s*(?<cap>\d{5})\s+(?<city>.+?)(?:\s*\((?<province>[A-Za-z]{2})\))?$")]
    private static partial Regex OneLineAddress();

    public static (Dictionary<string, string> Errors, BillingInfo? Billing) Validate(IReadOnlyDictionary<string, string> values)
    {
        string V(string field) => values.TryGetValue(field, out var v) ? v.Trim() : "";
        var errors = new Dictionary<string, string>();
        var type = V("type");
        if (!BuyerKinds.All.Contains(type)) errors["type"] = "store.error.type";
        Text(errors, "billing_name", V("billing_name"), 2, 80, "store.error.name");
        Text(errors, "address", V("address"), 3, 60, "store.error.address");
        Text(errors, "city", V("city"), 2, 60, "store.error.city");
        var abroad = type == BuyerKinds.Foreign;
        var country = abroad ? V("country").ToUpperInvariant() : "IT";
        var province = V("province").ToUpperInvariant();
        var postCode = V("post_code");
        if (abroad)
        {
            if (country.Length != 2 || !country.All(char.IsAsciiLetterUpper) || country == "IT") errors["country"] = "store.error.country";
            if (postCode.Length > 10 || !postCode.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-')) errors["post_code"] = "store.error.post_code_abroad";
            province = "";
        }
        else
        {
            if (postCode.Length != 5 || !postCode.All(char.IsAsciiDigit)) errors["post_code"] = "store.error.post_code";
            if (province.Length != 2 || !province.All(char.IsAsciiLetterUpper)) errors["province"] = "store.error.province";
        }

        var fiscalCode = V("fiscal_code").ToUpperInvariant();
        var vat = V("vat_number").Replace(" ", "").ToUpperInvariant();
        var code = V("recipient_code").ToUpperInvariant();
        var pec = V("pec");
        if (type == BuyerKinds.Private && !PersonalFiscalCode().IsMatch(fiscalCode)) errors["fiscal_code"] = "store.error.fiscal_code";
        if (type == BuyerKinds.Company)
        {
            if (vat.Length != 11 || !vat.All(char.IsAsciiDigit)) errors["vat_number"] = "store.error.vat_number";
            else if (!PartitaIva.IsValid(vat)) errors["vat_number"] = "store.error.vat_check";
            if (fiscalCode.Length > 0 && !(fiscalCode.Length == 11 && fiscalCode.All(char.IsAsciiDigit)) && !PersonalFiscalCode().IsMatch(fiscalCode))
                errors["fiscal_code"] = "store.error.company_fiscal_code";
            if (code.Length == 0 && pec.Length == 0) errors["recipient_code"] = "store.error.recipient";
        }
        if (abroad && (vat.Length > 28 || !vat.All(char.IsAsciiLetterOrDigit))) errors["vat_number"] = "store.error.foreign_vat";
        if (!abroad && code.Length > 0 && (code.Length != 7 || !code.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))) errors["recipient_code"] = "store.error.recipient_code";
        if (!abroad && pec.Length > 0 && (pec.Length > 254 || !Email().IsMatch(pec) || !pec.All(c => c is > ' ' and <= '~'))) errors["pec"] = "store.error.pec";
        if (errors.Count > 0) return (errors, null);

        return (errors, new BillingInfo(type, V("billing_name"), type == BuyerKinds.Foreign ? "" : fiscalCode, type == BuyerKinds.Private ? null : vat.Length > 0 ? vat : null,
            V("address"), postCode, V("city"), province, country, abroad || code.Length == 0 ? null : code, abroad || pec.Length == 0 ? null : pec));
    }

    /// <summary>The form as the buyer typed it for this order before (back from a declined or abandoned payment).</summary>
    public static Dictionary<string, string> AsTyped(BillingInfo billing) => new()
    {
        ["type"] = billing.Type, ["billing_name"] = billing.Name, ["fiscal_code"] = billing.FiscalCode, ["vat_number"] = billing.VatNumber ?? "",
        ["address"] = billing.Address, ["post_code"] = billing.PostCode, ["city"] = billing.City, ["province"] = billing.Province,
        ["country"] = billing.Country, ["recipient_code"] = billing.RecipientCode ?? "", ["pec"] = billing.Pec ?? "",
    };

    /// <summary>The holder's own details (one line of address, as Accounts keeps it) split into the form's fields where they can be.</summary>
    public static Dictionary<string, string> FromHolder(string name, string fiscalCode, string address)
    {
        var values = new Dictionary<string, string> { ["type"] = BuyerKinds.Private, ["billing_name"] = name, ["fiscal_code"] = fiscalCode, ["address"] = address, ["country"] = "IT" };
        if (OneLineAddress().Match(address) is { Success: true } parts)
        {
            values["address"] = parts.Groups["street"].Value.Trim();
            values["post_code"] = parts.Groups["cap"].Value;
            values["city"] = parts.Groups["city"].Value.Trim();
            values["province"] = parts.Groups["province"].Value.ToUpperInvariant();
        }
        return values;
    }

    private static void Text(Dictionary<string, string> errors, string field, string value, int min, int max, string requiredKey)
    {
        if (value.Length < min) errors[field] = requiredKey;
        else if (value.Length > max) errors[field] = "store.error.too_long";
        else if (!FatturaPaText.Fits(value, max)) errors[field] = "store.error.latin";
    }
}
