using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using MySign.Billing.Domain;

namespace MySign.Billing.Invoicing;

/// <summary>A line of an invoice: the catalogue product, what it costs, the promotional discount on it, its VAT rate.</summary>
public sealed record InvoiceLine(string Sku, string Description, decimal Quantity, decimal UnitPrice, decimal Discount, string? PromoCode, decimal VatRate)
{
    /// <summary>PrezzoTotale: the unit price times the quantity, less the discount, to the cent.</summary>
    public decimal Total => Math.Round(Quantity * UnitPrice - Discount, 2, MidpointRounding.AwayFromZero);
}

/// <summary>How the document was paid: the method as the store names it, the day, and the account a transfer went to.</summary>
public sealed record InvoicePayment(string Method, DateOnly Date, string? Beneficiary = null, string? Iban = null, string? Bic = null);

/// <summary>What one FatturaPA file says: who sells, who buys, which document, its lines, how it was paid.</summary>
public sealed record FatturaPaInput(SellerOptions Seller, BillingInfo Buyer, string Kind, string Number, DateOnly Date, string Progressive,
    IReadOnlyList<InvoiceLine> Lines, InvoicePayment? Payment = null, string? RelatedNumber = null, DateOnly? RelatedDate = null, string? Causale = null);

/// <summary>The VAT summary of one rate (DatiRiepilogo) and the document's total.</summary>
public sealed record FatturaPaTotals(IReadOnlyList<(decimal Rate, decimal Taxable, decimal Tax)> ByRate, decimal Net, decimal Vat, decimal Gross);

/// <summary>
/// Writes FatturaPA 1.2.2 (FormatoTrasmissione FPR12, between private parties), following the Agenzia delle Entrate's
/// technical specifications: the totals rule SdI checks (each PrezzoTotale = PrezzoUnitario × Quantita − discounts; per
/// rate ImponibileImporto = the sum of its lines and Imposta = ImponibileImporto × rate, to the cent; the total = the sum
/// of both), the buyer's delivery code by kind, and the payment as it was made. Pure: the same input, the same bytes.
/// </summary>
public static class FatturaPa
{
    public const string Version = "FPR12";
    public static readonly XNamespace Namespace = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2";
    private static readonly XNamespace Ds = "http://www.w3.org/2000/09/xmldsig#";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The name SdI expects: country and the transmitter's identifier (the seller's VAT number), "_", the progressive.</summary>
    public static string FileName(SellerOptions seller, string progressive) => $"IT{seller.VatNumber}_{progressive}.xml";

    public static FatturaPaTotals Totals(IReadOnlyList<InvoiceLine> lines)
    {
        var byRate = lines.GroupBy(l => l.VatRate).OrderBy(g => g.Key).Select(g =>
        {
            var taxable = g.Sum(l => l.Total);
            return (Rate: g.Key, Taxable: taxable, Tax: Math.Round(taxable * g.Key, 2, MidpointRounding.AwayFromZero));
        }).ToList();
        var net = byRate.Sum(r => r.Taxable);
        var vat = byRate.Sum(r => r.Tax);
        return new FatturaPaTotals(byRate, net, vat, net + vat);
    }

    /// <summary>The buyer's delivery: a company's 7-character code or PEC, a consumer's 0000000 (and PEC if given), abroad XXXXXXX.</summary>
    public static (string Code, string? Pec) Recipient(BillingInfo buyer) => buyer.Type switch
    {
        BuyerKinds.Foreign => ("XXXXXXX", null),
        _ when !string.IsNullOrEmpty(buyer.RecipientCode) => (buyer.RecipientCode, null),
        _ => ("0000000", string.IsNullOrEmpty(buyer.Pec) ? null : buyer.Pec),
    };

    /// <summary>MP08 for cards and PayPal (a payment card in the specifications' list, which has no wallet of its own), MP05 for a transfer.</summary>
    public static string PaymentCode(string method) => method == "transfer" ? "MP05" : "MP08";

    public static byte[] Write(FatturaPaInput input)
    {
        var seller = input.Seller;
        var buyer = input.Buyer;
        var totals = Totals(input.Lines);
        var (code, pec) = Recipient(buyer);

        var header = new XElement("FatturaElettronicaHeader",
            new XElement("DatiTrasmissione",
                new XElement("IdTrasmittente", new XElement("IdPaese", "IT"), new XElement("IdCodice", seller.VatNumber)),
                new XElement("ProgressivoInvio", input.Progressive),
                new XElement("FormatoTrasmissione", Version),
                new XElement("CodiceDestinatario", code),
                Optional("PECDestinatario", pec)),
            new XElement("CedentePrestatore",
                new XElement("DatiAnagrafici",
                    new XElement("IdFiscaleIVA", new XElement("IdPaese", "IT"), new XElement("IdCodice", seller.VatNumber)),
                    new XElement("CodiceFiscale", seller.FiscalCode),
                    new XElement("Anagrafica", new XElement("Denominazione", seller.Name)),
                    new XElement("RegimeFiscale", seller.RegimeFiscale)),
                Address(seller.Street, seller.PostCode, seller.City, seller.Province, "IT"),
                new XElement("IscrizioneREA",
                    new XElement("Ufficio", seller.Rea.Office),
                    new XElement("NumeroREA", seller.Rea.Number),
                    seller.Rea.ShareCapital is { } capital ? new XElement("CapitaleSociale", Amount(capital)) : null,
                    Optional("SocioUnico", seller.Rea.SoleShareholder),
                    new XElement("StatoLiquidazione", seller.Rea.Liquidation)),
                string.IsNullOrEmpty(seller.Email) && string.IsNullOrEmpty(seller.Phone) ? null
                    : new XElement("Contatti", Optional("Telefono", seller.Phone), Optional("Email", seller.Email))),
            new XElement("CessionarioCommittente",
                new XElement("DatiAnagrafici",
                    BuyerIds(buyer),
                    new XElement("Anagrafica", new XElement("Denominazione", buyer.Name))),
                buyer.Type == BuyerKinds.Foreign
                    // Abroad: CAP is five zeros by the specifications; the real postal code stays with the town.
                    ? Address(buyer.Address, "00000", string.Join(" ", new[] { buyer.PostCode, buyer.City }.Where(p => p.Length > 0)), null, buyer.Country)
                    : Address(buyer.Address, buyer.PostCode, buyer.City, buyer.Province, "IT")));

        var document = new XElement("DatiGeneraliDocumento",
            new XElement("TipoDocumento", input.Kind),
            new XElement("Divisa", "EUR"),
            new XElement("Data", Day(input.Date)),
            new XElement("Numero", input.Number),
            new XElement("ImportoTotaleDocumento", Amount(totals.Gross)),
            Optional("Causale", input.Causale));
        var general = new XElement("DatiGenerali", document,
            input.RelatedNumber is null ? null
                : new XElement("DatiFattureCollegate", new XElement("IdDocumento", input.RelatedNumber), input.RelatedDate is { } related ? new XElement("Data", Day(related)) : null));

        var lines = input.Lines.Select((line, i) => new XElement("DettaglioLinee",
            new XElement("NumeroLinea", i + 1),
            new XElement("CodiceArticolo", new XElement("CodiceTipo", "SKU"), new XElement("CodiceValore", line.Sku)),
            new XElement("Descrizione", line.Description),
            new XElement("Quantita", line.Quantity.ToString("0.00", Invariant)),
            new XElement("PrezzoUnitario", Amount(line.UnitPrice)),
            line.Discount > 0 ? new XElement("ScontoMaggiorazione", new XElement("Tipo", "SC"), new XElement("Importo", Amount(line.Discount))) : null,
            new XElement("PrezzoTotale", Amount(line.Total)),
            new XElement("AliquotaIVA", Rate(line.VatRate)),
            line.PromoCode is null ? null
                : new XElement("AltriDatiGestionali", new XElement("TipoDato", "PROMO"), new XElement("RiferimentoTesto", line.PromoCode))));
        var summary = totals.ByRate.Select(r => new XElement("DatiRiepilogo",
            new XElement("AliquotaIVA", Rate(r.Rate)),
            new XElement("ImponibileImporto", Amount(r.Taxable)),
            new XElement("Imposta", Amount(r.Tax)),
            new XElement("EsigibilitaIVA", "I")));

        var body = new XElement("FatturaElettronicaBody", general, new XElement("DatiBeniServizi", lines, summary),
            input.Payment is not { } payment ? null
                : new XElement("DatiPagamento",
                    new XElement("CondizioniPagamento", "TP02"),
                    new XElement("DettaglioPagamento",
                        payment.Method == "transfer" ? Optional("Beneficiario", payment.Beneficiary) : null,
                        new XElement("ModalitaPagamento", PaymentCode(payment.Method)),
                        new XElement("DataRiferimentoTerminiPagamento", Day(payment.Date)),
                        new XElement("GiorniTerminiPagamento", 0),
                        new XElement("DataScadenzaPagamento", Day(payment.Date)),
                        new XElement("ImportoPagamento", Amount(totals.Gross)),
                        payment.Method == "paypal" ? new XElement("IstitutoFinanziario", "PayPal") : null,
                        payment.Method == "transfer" ? Optional("IBAN", payment.Iban) : null,
                        payment.Method == "transfer" ? Optional("BIC", payment.Bic) : null)));

        var root = new XElement(Namespace + "FatturaElettronica",
            new XAttribute(XNamespace.Xmlns + "p", Namespace), new XAttribute(XNamespace.Xmlns + "ds", Ds),
            new XAttribute("versione", Version), header, body);
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            new XDocument(new XDeclaration("1.0", "UTF-8", null), root).Save(writer);
        return stream.ToArray();
    }

    /// <summary>IdFiscaleIVA and/or CodiceFiscale, in the schema's order.</summary>
    private static IEnumerable<XElement> BuyerIds(BillingInfo buyer)
    {
        static XElement Vat(string country, string number) => new("IdFiscaleIVA", new XElement("IdPaese", country), new XElement("IdCodice", number));
        switch (buyer.Type)
        {
            case BuyerKinds.Foreign:
                // A buyer abroad without a tax number: the specifications' placeholder of eleven nines.
                yield return Vat(buyer.Country, string.IsNullOrEmpty(buyer.VatNumber) ? "99999999999" : buyer.VatNumber);
                break;
            case BuyerKinds.Company:
                yield return Vat("IT", buyer.VatNumber!);
                if (!string.IsNullOrEmpty(buyer.FiscalCode)) yield return new XElement("CodiceFiscale", buyer.FiscalCode);
                break;
            default:
                yield return new XElement("CodiceFiscale", buyer.FiscalCode);
                break;
        }
    }

    private static XElement Address(string street, string postCode, string city, string? province, string country) => new("Sede",
        new XElement("Indirizzo", street),
        new XElement("CAP", postCode),
        new XElement("Comune", city),
        Optional("Provincia", province),
        new XElement("Nazione", country));

    private static XElement? Optional(string name, string? value) => string.IsNullOrEmpty(value) ? null : new XElement(name, value);
    private static string Amount(decimal value) => value.ToString("0.00", Invariant);
    private static string Rate(decimal rate) => (rate * 100).ToString("0.00", Invariant);
    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", Invariant);
}

/// <summary>The three kinds of buyer an invoice knows: an Italian consumer, an Italian company, a buyer abroad.</summary>
public static class BuyerKinds
{
    public const string Private = "private", Company = "company", Foreign = "foreign";
    public static readonly string[] All = [Private, Company, Foreign];
}
