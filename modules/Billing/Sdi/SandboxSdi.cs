using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Marten;
using Microsoft.Extensions.Options;
using MySign.Billing.Invoicing;
using Wolverine;

namespace MySign.Billing.Sdi;

/// <summary>
/// The checks of SdI's that an invoice of ours could fail (codes and wording from the Agenzia delle Entrate's list of
/// controls), so the whole loop can be tried without the Agenzia. Pure: the file in, the errors out.
/// </summary>
public static partial class SdiRules
{
    public const string BadFileName = "00001", DuplicateFile = "00002", NotTheFormat = "00200", UnknownRecipient = "00311", NoBuyerId = "00417",
        LineTotal = "00423", Taxable = "00422", Tax = "00421", DuplicateInvoice = "00404";

    /// <summary>
    /// A codice destinatario SdI has no channel for. The real SdI knows which codes are registered; the sandbox knows
    /// them all but this one, the way a payment sandbox has a card number that always declines.
    /// </summary>
    public const string UnregisteredRecipientCode = "UNKNOWN";

    [GeneratedRegex(@"^[A-Z]{2}[A-Za-z0-9]{1,28}_[A-Za-z0-9]{1,5}\.xml$")]
    private static partial Regex FileName();

    public static IReadOnlyList<SdiError> Check(string fileName, byte[] xml)
    {
        var errors = new List<SdiError>();
        if (!FileName().IsMatch(fileName)) errors.Add(new(BadFileName, "Nome file non valido"));
        var problems = OfficialSchemas.Problems(OfficialSchemas.ForInvoices, xml);
        if (problems.Count > 0)
        {
            errors.Add(new(NotTheFormat, "File non conforme al formato: " + string.Join("; ", problems.Take(3))));
            return errors;
        }
        using var reader = XmlReader.Create(new MemoryStream(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        var root = XDocument.Load(reader).Root!;
        IEnumerable<XElement> All(XContainer e, string name) => e.Descendants(name);
        decimal Amount(XElement? e) => e is null ? 0 : decimal.Parse(e.Value, CultureInfo.InvariantCulture);

        if (All(root, "CodiceDestinatario").FirstOrDefault()?.Value == UnregisteredRecipientCode)
            errors.Add(new(UnknownRecipient, "1.1.4 <CodiceDestinatario> non valido : codice destinatario non censito"));
        var buyer = All(root, "CessionarioCommittente").First().Element("DatiAnagrafici")!;
        if (buyer.Element("IdFiscaleIVA") is null && buyer.Element("CodiceFiscale") is null)
            errors.Add(new(NoBuyerId, "1.4.1.1 <IdFiscaleIVA> e 1.4.1.2 <CodiceFiscale> non valorizzati (almeno uno dei due deve essere valorizzato)"));
        foreach (var body in All(root, "FatturaElettronicaBody"))
        {
            var lines = All(body, "DettaglioLinee").ToList();
            foreach (var line in lines)
            {
                var quantity = line.Element("Quantita") is { } q ? Amount(q) : 1;
                var expected = Amount(line.Element("PrezzoUnitario")) * quantity;
                foreach (var change in line.Elements("ScontoMaggiorazione"))
                {
                    var sign = change.Element("Tipo")!.Value == "SC" ? -1 : 1;
                    expected += sign * (change.Element("Importo") is { } importo ? Amount(importo) * quantity
                        : expected * Amount(change.Element("Percentuale")) / 100);
                }
                if (Math.Abs(expected - Amount(line.Element("PrezzoTotale"))) > 0.01m)
                    errors.Add(new(LineTotal, $"2.2.1.11 <PrezzoTotale> non calcolato secondo le regole definite nelle specifiche tecniche (linea {line.Element("NumeroLinea")!.Value})"));
            }
            foreach (var summary in All(body, "DatiRiepilogo"))
            {
                var rate = summary.Element("AliquotaIVA")!.Value;
                var taxable = Amount(summary.Element("ImponibileImporto"));
                var ofLines = lines.Where(l => l.Element("AliquotaIVA")!.Value == rate).Sum(l => Amount(l.Element("PrezzoTotale")))
                              + Amount(summary.Element("SpeseAccessorie")) + Amount(summary.Element("Arrotondamento"));
                if (Math.Abs(ofLines - taxable) > 1m) errors.Add(new(Taxable, $"2.2.2.5 <ImponibileImporto> non calcolato secondo le regole (aliquota {rate})"));
                var tax = taxable * decimal.Parse(rate, CultureInfo.InvariantCulture) / 100;
                if (Math.Abs(tax - Amount(summary.Element("Imposta"))) > 1m) errors.Add(new(Tax, $"2.2.2.6 <Imposta> non calcolato secondo le regole (aliquota {rate})"));
            }
        }
        return errors;
    }

    /// <summary>Who the invoice goes to, as SdI would deliver it: a registered code (RC), else only the buyer's reserved area (MC).</summary>
    public static (string Code, string Description)? DeliveryChannel(byte[] xml)
    {
        var root = XDocument.Load(new MemoryStream(xml)).Root!;
        var code = root.Descendants("CodiceDestinatario").First().Value;
        var pec = root.Descendants("PECDestinatario").FirstOrDefault()?.Value;
        if (code is "0000000" && pec is { Length: > 0 }) return (code, "Consegna via PEC " + pec);
        if (code is "0000000" or "XXXXXXX") return null;
        return (code, "Canale del destinatario " + code);
    }

    /// <summary>The seller, the number and the year: SdI accepts an invoice once.</summary>
    public static string InvoiceKey(byte[] xml)
    {
        var root = XDocument.Load(new MemoryStream(xml)).Root!;
        var seller = root.Descendants("CedentePrestatore").First().Descendants("IdCodice").First().Value;
        var document = root.Descendants("DatiGeneraliDocumento").First();
        return $"{seller}/{document.Element("Numero")!.Value}/{document.Element("Data")!.Value[..4]}";
    }
}

/// <summary>A file the sandbox SdI received: it refuses the same name twice, and an invoice number it already accepted.</summary>
public sealed class SandboxSdiFile
{
    public string Id { get; set; } = "";
    public string InvoiceKey { get; set; } = "";
    public bool Accepted { get; set; }
    public long SdiId { get; set; }
}

/// <summary>The sandbox SdI's answer, delivered after its delay to the same intake as the real answers.</summary>
public sealed record SandboxSdiAnswer(string Xml);

/// <summary>
/// SdI in a box, for Development and tests (never in Production: the host refuses to start with it there). It checks a file
/// as SdI does (<see cref="SdiRules"/>, duplicates included), then answers after <see cref="SdiOptions.SandboxDelay"/>:
/// NS with the errors, else RC when the buyer has a channel (a code, or a PEC) and MC when it has none (a consumer
/// without PEC, a buyer abroad). Its answers are signed XML as SdI's are, and arrive where SdI's arrive.
/// </summary>
public sealed class SandboxSdiChannel(IOptions<SdiOptions> options, TimeProvider clock) : ISdiChannel
{
    private static readonly Lazy<X509Certificate2> Signer = new(() => SdiMessages.SelfSigned("CN=Sistema di Interscambio (sandbox MySign), O=MySign, C=IT"));

    public async Task<IReadOnlyList<object>> SendAsync(string fileName, byte[] xml, IDocumentSession session, CancellationToken cancellation)
    {
        var received = clock.GetUtcNow();
        var errors = SdiRules.Check(fileName, xml).ToList();
        if (await session.LoadAsync<SandboxSdiFile>(fileName, cancellation) is not null)
            errors = [new(SdiRules.DuplicateFile, "Nome file duplicato")];
        string? key = null;
        if (errors.Count == 0)
        {
            key = SdiRules.InvoiceKey(xml);
            if (await session.Query<SandboxSdiFile>().AnyAsync(f => f.InvoiceKey == key && f.Accepted, cancellation))
                errors.Add(new(SdiRules.DuplicateInvoice, "Fattura duplicata"));
        }
        var sdiId = received.ToUnixTimeMilliseconds() % 1_000_000_000_000;
        if (errors.All(e => e.Code != SdiRules.DuplicateFile))
            session.Store(new SandboxSdiFile { Id = fileName, InvoiceKey = key ?? "", Accepted = errors.Count == 0, SdiId = sdiId });
        var delay = options.Value.SandboxDelay;
        var kind = errors.Count > 0 ? "NS" : SdiRules.DeliveryChannel(xml) is null ? "MC" : "RC";
        var answer = SdiMessages.Write(kind, sdiId.ToString(CultureInfo.InvariantCulture), fileName, received, received + delay,
            Guid.NewGuid().ToString("N")[..14], kind == "RC" ? SdiRules.DeliveryChannel(xml) : null, errors, Signer.Value);
        var message = new SandboxSdiAnswer(System.Text.Encoding.UTF8.GetString(answer));
        return [delay > TimeSpan.Zero ? message.DelayedFor(delay) : message];
    }
}
