using System.Globalization;
using System.Xml.Linq;
using MySign.Billing.Domain;
using MySign.Billing.Invoicing;
using MySign.Billing.Sdi;
using MySign.Billing.Store;

namespace MySign.Tests.Billing;

/// <summary>
/// The FatturaPA writer, each kind of buyer, discount and payment as a row: every file validates against the official XSD
/// with xmllint (and with the same schema in .NET, which the sandbox SdI uses), the totals rule SdI applies holds to the
/// cent, and the sandbox's own checks find nothing. The checks themselves are shown to fail on a file that breaks them.
/// </summary>
public sealed class FatturaPaTests
{
    private static readonly SellerOptions Seller = Demo();
    private static readonly DateOnly Today = new(2026, 11, 30);

    private static SellerOptions Demo()
    {
        var seller = new SellerOptions();
        SellerOptions.Check(seller, production: false);
        return seller;
    }

    private static readonly BillingInfo Consumer = new("private", "Paolo Gallo", "GLLPLA80A01H501X", null, "Via Roma 1", "00100", "Roma", "RM");
    private static readonly BillingInfo ConsumerWithPec = Consumer with { Pec = "paolo.gallo@pec.example.it" };
    private static readonly BillingInfo Company = new("company", "Gallo Forniture S.r.l.", "", "12345678903", "Via Po 2", "10123", "Torino", "TO", RecipientCode: "M5UXCR1");
    private static readonly BillingInfo CompanyByPec = Company with { RecipientCode = null, Pec = "fatture@pec.gallo.it", FiscalCode = "12345678903" };
    private static readonly BillingInfo Abroad = new("foreign", "Société Générale de Signature", "", "FR40303265045", "12 Rue de la Paix", "75002", "Paris", "", "FR");
    private static readonly BillingInfo AbroadNoTaxNumber = new("foreign", "Hans Müller", "", null, "Hauptstraße 5", "10115", "Berlin", "", "DE");

    private static InvoiceLine Line(decimal discount = 0, string? promo = null) =>
        new("RS-3Y", "Firma Remota: Validità 3 anni - MYSIGN", 1, 30.00m, discount, promo, 0.22m);

    private static FatturaPaInput Invoice(BillingInfo buyer, InvoiceLine line, string method) =>
        new(Seller, buyer, FiscalDocument.Invoice, "2026/000042", Today, "0000A", [line],
            new InvoicePayment(method, Today, "MySign S.p.A.", "IT60X0542811101000000123456", "BLOPIT22XXX"));

    public static TheoryData<string, FatturaPaInput, string> Documents() => new()
    {
        { "consumer, card: 0000000", Invoice(Consumer, Line(), "card"), "36.60" },
        { "consumer with PEC, PayPal", Invoice(ConsumerWithPec, Line(), "paypal"), "36.60" },
        { "company, 10 % promo, bank transfer", Invoice(Company, Line(3.00m, "WELCOME10"), "transfer"), "32.94" },
        { "company by PEC, 5 euro promo, card", Invoice(CompanyByPec, Line(5.00m, "FIVEOFF"), "card"), "30.50" },
        { "abroad with a tax number, PayPal", Invoice(Abroad, Line(), "paypal"), "36.60" },
        { "abroad without one, card", Invoice(AbroadNoTaxNumber, Line(), "card"), "36.60" },
        {
            "credit note for a whole invoice",
            new FatturaPaInput(Seller, Company, FiscalDocument.CreditNote, "NC/2026/000001", Today, "0000B", [Line(3.00m, "WELCOME10")],
                RelatedNumber: "2026/000042", RelatedDate: Today.AddDays(-3), Causale: "Storno totale della fattura 2026/000042: rinnovo annullato, importo rimborsato"),
            "32.94"
        },
    };

    [Fact]
    public async Task every_document_validates_with_xmllint_against_the_official_schema()
    {
        var files = Documents().Select(row => ((string)row[0], FatturaPa.Write((FatturaPaInput)row[1]))).ToList();
        await Xmllint.ValidateAsync(Xmllint.FatturaPa, files.Select(f => (f.Item1.Replace(' ', '-').Replace(',', '_') + ".xml", f.Item2)));
    }

    [Theory, MemberData(nameof(Documents))]
    public void the_totals_add_up_to_the_cent_as_sdi_checks_them_and_the_sandbox_finds_nothing_wrong(string name, FatturaPaInput input, string total)
    {
        var xml = FatturaPa.Write(input);
        OfficialSchemas.Problems(OfficialSchemas.ForInvoices, xml).ShouldBeEmpty(name);
        var root = XDocument.Load(new MemoryStream(xml)).Root!;
        decimal D(XElement e) => decimal.Parse(e.Value, CultureInfo.InvariantCulture);
        var lines = root.Descendants("DettaglioLinee").ToList();
        foreach (var line in lines)
        {
            var discount = line.Elements("ScontoMaggiorazione").Sum(s => D(s.Element("Importo")!));
            D(line.Element("PrezzoTotale")!).ShouldBe(D(line.Element("PrezzoUnitario")!) * D(line.Element("Quantita")!) - discount, name);
        }
        var summary = root.Descendants("DatiRiepilogo").ShouldHaveSingleItem(name);
        var taxable = D(summary.Element("ImponibileImporto")!);
        taxable.ShouldBe(lines.Sum(l => D(l.Element("PrezzoTotale")!)), $"{name}: the sum of the lines is the taxable amount");
        var tax = D(summary.Element("Imposta")!);
        tax.ShouldBe(Math.Round(taxable * D(summary.Element("AliquotaIVA")!) / 100, 2, MidpointRounding.AwayFromZero), $"{name}: 22 % of it, to the cent");
        var document = D(root.Descendants("ImportoTotaleDocumento").Single());
        document.ShouldBe(taxable + tax, name);
        document.ToString("0.00", CultureInfo.InvariantCulture).ShouldBe(total, name);
        foreach (var payment in root.Descendants("ImportoPagamento")) D(payment).ShouldBe(document, $"{name}: paid what it totals");
        SdiRules.Check(FatturaPa.FileName(Seller, input.Progressive), xml).ShouldBeEmpty(name);
    }

    [Fact]
    public void each_buyer_is_reached_as_sdi_expects_and_the_payment_says_how_it_was_made()
    {
        string Of(FatturaPaInput input, string element) => XDocument.Load(new MemoryStream(FatturaPa.Write(input))).Descendants(element).FirstOrDefault()?.Value ?? "";
        Of(Invoice(Consumer, Line(), "card"), "CodiceDestinatario").ShouldBe("0000000");
        Of(Invoice(Consumer, Line(), "card"), "PECDestinatario").ShouldBe("");
        Of(Invoice(ConsumerWithPec, Line(), "card"), "PECDestinatario").ShouldBe("paolo.gallo@pec.example.it");
        Of(Invoice(Company, Line(), "card"), "CodiceDestinatario").ShouldBe("M5UXCR1");
        Of(Invoice(CompanyByPec, Line(), "card"), "CodiceDestinatario").ShouldBe("0000000");
        Of(Invoice(Abroad, Line(), "card"), "CodiceDestinatario").ShouldBe("XXXXXXX");
        XDocument.Load(new MemoryStream(FatturaPa.Write(Invoice(AbroadNoTaxNumber, Line(), "card")))).Descendants("CessionarioCommittente").Single()
            .Descendants("IdFiscaleIVA").Single().Value.ShouldBe("DE99999999999");
        Of(Invoice(Consumer, Line(), "card"), "ModalitaPagamento").ShouldBe("MP08");
        Of(Invoice(Consumer, Line(), "paypal"), "IstitutoFinanziario").ShouldBe("PayPal");
        Of(Invoice(Company, Line(), "transfer"), "ModalitaPagamento").ShouldBe("MP05");
        Of(Invoice(Company, Line(), "transfer"), "IBAN").ShouldBe("IT60X0542811101000000123456");
        Of(Invoice(Company, Line(3.00m, "WELCOME10"), "transfer"), "ScontoMaggiorazione").ShouldBe("SC3.00");
        Of(Invoice(Consumer, Line(), "card"), "TipoDocumento").ShouldBe("TD01");
        FatturaPa.FileName(Seller, "0000A").ShouldBe("IT01234567897_0000A.xml");
    }

    [Fact]
    public void the_sandbox_rules_catch_a_file_that_breaks_them()
    {
        var good = System.Text.Encoding.UTF8.GetString(FatturaPa.Write(Invoice(Company, Line(), "card")));
        byte[] Bytes(string xml) => System.Text.Encoding.UTF8.GetBytes(xml);
        string Codes(string fileName, string xml) => string.Join(",", SdiRules.Check(fileName, Bytes(xml)).Select(e => e.Code));
        Codes("IT01234567897_0000A.xml", good.Replace("<PrezzoTotale>30.00</PrezzoTotale>", "<PrezzoTotale>30.02</PrezzoTotale>")).ShouldBe("00423");
        Codes("IT01234567897_0000A.xml", good.Replace("<ImponibileImporto>30.00</ImponibileImporto>", "<ImponibileImporto>33.00</ImponibileImporto>")).ShouldContain("00422");
        Codes("IT01234567897_0000A.xml", good.Replace("<Imposta>6.60</Imposta>", "<Imposta>8.60</Imposta>")).ShouldBe("00421");
        Codes("IT01234567897_0000A.xml", good.Replace("M5UXCR1", SdiRules.UnregisteredRecipientCode)).ShouldBe("00311");
        Codes("IT01234567897_0000A.xml", good.Replace("<FormatoTrasmissione>FPR12</FormatoTrasmissione>", "<FormatoTrasmissione>FPX12</FormatoTrasmissione>")).ShouldBe("00200");
        Codes("invoice.xml", good).ShouldBe("00001");
        Codes("IT01234567897_0000A.xml", good).ShouldBe("");
    }

    public static TheoryData<string, string, bool> VatNumbers() => new()
    {
        { "01234567897", "the demo seller's", true },
        { "12345678903", "a well-formed one", true },
        { "12345678904", "the last digit off by one", false },
        { "1234567890", "ten digits", false },
        { "1234567890A", "a letter", false },
        { "00000000000", "all zeros", false },
    };

    [Theory, MemberData(nameof(VatNumbers))]
    public void a_partita_iva_is_accepted_only_with_its_check_digit(string number, string name, bool valid) => PartitaIva.IsValid(number).ShouldBe(valid, name);

    public static TheoryData<string, Dictionary<string, string>, string> Forms() => new()
    {
        { "a consumer", Form("private"), "" },
        { "a consumer's fiscal code of 11 digits", Form("private", ("fiscal_code", "12345678903")), "fiscal_code=store.error.fiscal_code" },
        { "a company with its code", Form("company", ("vat_number", "12345678903"), ("recipient_code", "m5uxcr1")), "" },
        { "a company by PEC", Form("company", ("vat_number", "12345678903"), ("pec", "fatture@pec.gallo.it")), "" },
        { "a company with neither", Form("company", ("vat_number", "12345678903")), "recipient_code=store.error.recipient" },
        { "a company whose VAT number fails its check digit", Form("company", ("vat_number", "12345678904"), ("recipient_code", "M5UXCR1")), "vat_number=store.error.vat_check" },
        { "a company with a 6-character code", Form("company", ("vat_number", "12345678903"), ("recipient_code", "ABC123")), "recipient_code=store.error.recipient_code" },
        { "abroad", Form("foreign", ("country", "fr"), ("post_code", "75002"), ("province", "")), "" },
        { "abroad, but Italy", Form("foreign", ("country", "IT")), "country=store.error.country" },
        { "a name in another script", Form("private", ("billing_name", "Павел Галло")), "billing_name=store.error.latin" },
        { "a bidi override in the street", Form("private", ("address", "Via Roma \u202E1")), "address=store.error.latin" },
        { "a street too long for the invoice", Form("private", ("address", new string('a', 61))), "address=store.error.too_long" },
        { "an Italian postal code of 4 digits", Form("private", ("post_code", "0010")), "post_code=store.error.post_code" },
        { "no province", Form("private", ("province", "")), "province=store.error.province" },
    };

    private static Dictionary<string, string> Form(string type, params (string Field, string Value)[] changes)
    {
        var form = new Dictionary<string, string>
        {
            ["type"] = type, ["billing_name"] = "Paolo Gallo", ["fiscal_code"] = "GLLPLA80A01H501X", ["address"] = "Via Roma 1", ["post_code"] = "00100",
            ["city"] = "Roma", ["province"] = "RM", ["country"] = "IT",
        };
        if (type != "private") form["fiscal_code"] = "";
        foreach (var (field, value) in changes) form[field] = value;
        return form;
    }

    [Theory, MemberData(nameof(Forms))]
    public void the_billing_form_refuses_what_sdi_would_and_says_which_field(string name, Dictionary<string, string> form, string errors)
    {
        var (found, billing) = BillingForm.Validate(form);
        string.Join(",", found.Select(e => $"{e.Key}={e.Value}")).ShouldBe(errors, name);
        if (errors.Length > 0) return;
        billing.ShouldNotBeNull(name);
        // What is accepted makes a file the official schema accepts.
        OfficialSchemas.Problems(OfficialSchemas.ForInvoices, FatturaPa.Write(Invoice(billing, Line(), "card"))).ShouldBeEmpty(name);
    }
}
