namespace MySign.Billing.Invoicing;

/// <summary>
/// The seller on every invoice (FatturaPA's CedentePrestatore), release configuration under Billing:Seller. Production
/// names its own company or refuses to start; Development invoices as the demo company below.
/// </summary>
public sealed class SellerOptions
{
    public string VatNumber { get; set; } = "";
    public string FiscalCode { get; set; } = "";
    public string Name { get; set; } = "";
    public string Street { get; set; } = "";
    public string PostCode { get; set; } = "";
    public string City { get; set; } = "";
    public string Province { get; set; } = "";
    /// <summary>The tax regime (RegimeFiscale), e.g. RF01 for the ordinary one.</summary>
    public string RegimeFiscale { get; set; } = "";
    public ReaOptions Rea { get; set; } = new();
    /// <summary>Optional contacts printed on the invoice.</summary>
    public string? Email { get; set; }
    public string? Phone { get; set; }

    /// <summary>The registration at the companies' register (REA): office (province), number, and whether in liquidation.</summary>
    public sealed class ReaOptions
    {
        public string Office { get; set; } = "";
        public string Number { get; set; } = "";
        public decimal? ShareCapital { get; set; }
        /// <summary>SU: one shareholder; SM: several (optional).</summary>
        public string? SoleShareholder { get; set; }
        /// <summary>LN: not in liquidation; LS: in liquidation.</summary>
        public string Liquidation { get; set; } = "LN";
    }

    /// <summary>
    /// Every setting an invoice needs, checked as SdI would check them: in Production all are required and the host refuses to
    /// start naming the missing ones; elsewhere the missing ones are the demo company's.
    /// </summary>
    public static void Check(SellerOptions seller, bool production)
    {
        var required = new (string Setting, Func<string> Get, Action<string> Set, string Demo)[]
        {
            ("VatNumber", () => seller.VatNumber, v => seller.VatNumber = v, "01234567897"),
            ("FiscalCode", () => seller.FiscalCode, v => seller.FiscalCode = v, "01234567897"),
            ("Name", () => seller.Name, v => seller.Name = v, "MySign S.p.A."),
            ("Street", () => seller.Street, v => seller.Street = v, "Via della Firma 1"),
            ("PostCode", () => seller.PostCode, v => seller.PostCode = v, "00187"),
            ("City", () => seller.City, v => seller.City = v, "Roma"),
            ("Province", () => seller.Province, v => seller.Province = v, "RM"),
            ("RegimeFiscale", () => seller.RegimeFiscale, v => seller.RegimeFiscale = v, "RF01"),
            ("Rea__Office", () => seller.Rea.Office, v => seller.Rea.Office = v, "RM"),
            ("Rea__Number", () => seller.Rea.Number, v => seller.Rea.Number = v, "1234567"),
        };
        var missing = required.Where(r => string.IsNullOrWhiteSpace(r.Get())).ToList();
        if (production && missing.Count > 0)
            throw new InvalidOperationException(
                $"{string.Join(", ", missing.Select(m => "Billing__Seller__" + m.Setting))} must be configured in Production: every invoice names the seller (FatturaPA CedentePrestatore).");
        foreach (var m in missing) m.Set(m.Demo);
        var problems = new List<string>();
        if (!PartitaIva.IsValid(seller.VatNumber)) problems.Add("Billing__Seller__VatNumber is not a valid Partita IVA (11 digits, check digit)");
        if (seller.FiscalCode.Length is not (11 or 16) || !seller.FiscalCode.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
            problems.Add("Billing__Seller__FiscalCode must be 11 digits or 16 capital letters and digits");
        if (seller.PostCode.Length != 5 || !seller.PostCode.All(char.IsAsciiDigit)) problems.Add("Billing__Seller__PostCode must be 5 digits");
        if (seller.Province.Length != 2 || !seller.Province.All(char.IsAsciiLetterUpper)) problems.Add("Billing__Seller__Province must be 2 capital letters");
        if (seller.Rea.Office.Length != 2 || !seller.Rea.Office.All(char.IsAsciiLetterUpper)) problems.Add("Billing__Seller__Rea__Office must be 2 capital letters (the province)");
        if (!System.Text.RegularExpressions.Regex.IsMatch(seller.RegimeFiscale, "^RF(0[1-9]|1[0-2]|1[4-9])$"))
            problems.Add("Billing__Seller__RegimeFiscale must be one of RF01–RF12, RF14–RF19");
        if (seller.Rea.Liquidation is not ("LN" or "LS")) problems.Add("Billing__Seller__Rea__Liquidation must be LN or LS");
        if (seller.Rea.SoleShareholder is not (null or "" or "SU" or "SM")) problems.Add("Billing__Seller__Rea__SoleShareholder must be SU or SM");
        if (!FatturaPaText.Fits(seller.Name, 80) || !FatturaPaText.Fits(seller.Street, 60) || !FatturaPaText.Fits(seller.City, 60))
            problems.Add("Billing__Seller__Name (up to 80 characters), Street and City (up to 60) must be Latin text");
        if (problems.Count > 0) throw new InvalidOperationException(string.Join("; ", problems) + ".");
    }
}
