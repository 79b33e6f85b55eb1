using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using MySign.Billing.Invoicing;

namespace MySign.Billing.Sdi;

/// <summary>What one SdI message says about one of our files.</summary>
/// <param name="Kind">RC (delivered), MC (not delivered, available to the buyer), NS (rejected), or another SdI message's code.</param>
public sealed record SdiMessage(string Kind, string FileName, string SdiId, string MessageId, IReadOnlyList<SdiError> Errors)
{
    /// <summary>A rejection for one reason only, that SdI already has this file: the echo of a file sent twice.</summary>
    public bool IsDuplicateEcho => Kind == "NS" && Errors.Count > 0 && Errors.All(e => e.Code == SdiRules.DuplicateFile);
}

/// <summary>
/// SdI's messages to a transmitter (MessaggiTypes 1.1): RicevutaConsegna (RC), NotificaMancataConsegna (MC), NotificaScarto
/// (NS), and the rest by their codes. Read defensively (no DTD, no external entity, named elements only); written (by the
/// sandbox) as SdI writes them, enveloped-signed with XML-DSig as the schema requires.
/// </summary>
public static class SdiMessages
{
    public static readonly XNamespace Types = "http://www.fatturapa.gov.it/sdi/messaggi/v1.0";

    private static readonly Dictionary<string, string> Kinds = new()
    {
        ["RicevutaConsegna"] = "RC", ["NotificaMancataConsegna"] = "MC", ["NotificaScarto"] = "NS", ["NotificaEsito"] = "NE",
        ["NotificaDecorrenzaTermini"] = "DT", ["AttestazioneTrasmissioneFattura"] = "AT",
    };

    /// <summary>The message, or null when the bytes are XML but no SdI message naming a file; throws <see cref="XmlException"/> for what is not XML.</summary>
    public static SdiMessage? Read(byte[] xml)
    {
        using var reader = XmlReader.Create(new MemoryStream(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        var root = XDocument.Load(reader).Root!;
        string? Child(string name) => root.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
        var file = Child("NomeFile");
        if (file is null or { Length: 0 or > 50 }) return null;
        var errors = root.Descendants().Where(e => e.Name.LocalName == "Errore")
            .Select(e => new SdiError(e.Elements().FirstOrDefault(c => c.Name.LocalName == "Codice")?.Value.Trim() ?? "",
                e.Elements().FirstOrDefault(c => c.Name.LocalName == "Descrizione")?.Value.Trim() ?? ""))
            .ToList();
        return new SdiMessage(Kinds.GetValueOrDefault(root.Name.LocalName, root.Name.LocalName), file, Child("IdentificativoSdI") ?? "", Child("MessageId") ?? "", errors);
    }

    /// <summary>An answer as SdI writes it, signed with <paramref name="signer"/>.</summary>
    public static byte[] Write(string kind, string sdiId, string fileName, DateTimeOffset received, DateTimeOffset answered, string messageId,
        (string Code, string Description)? recipient, IReadOnlyList<SdiError> errors, X509Certificate2 signer)
    {
        static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        var (name, content) = kind switch
        {
            "RC" => ("RicevutaConsegna", new object?[]
            {
                new XElement("DataOraRicezione", Time(received)), new XElement("DataOraConsegna", Time(answered)),
                new XElement("Destinatario", new XElement("Codice", recipient!.Value.Code), new XElement("Descrizione", recipient.Value.Description)),
            }),
            "MC" => ("NotificaMancataConsegna", new object?[]
            {
                new XElement("DataOraRicezione", Time(received)),
                new XElement("Descrizione", "Il file non è stato recapitato al destinatario: è a sua disposizione nell'area riservata del sito dell'Agenzia delle Entrate"),
            }),
            "NS" => ("NotificaScarto", new object?[]
            {
                new XElement("DataOraRicezione", Time(received)),
                new XElement("ListaErrori", errors.Select(e => new XElement("Errore", new XElement("Codice", e.Code), new XElement("Descrizione", e.Description)))),
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "The sandbox writes RC, MC and NS."),
        };
        var root = new XElement(Types + name, new XAttribute(XNamespace.Xmlns + "types", Types), new XAttribute("versione", "1.0"),
            new XElement("IdentificativoSdI", sdiId), new XElement("NomeFile", fileName), content, new XElement("MessageId", messageId));
        var document = new XmlDocument { PreserveWhitespace = false, XmlResolver = null };
        document.LoadXml(root.ToString(SaveOptions.DisableFormatting));
        Sign(document, signer);
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false) })) document.Save(writer);
        return stream.ToArray();
    }

    /// <summary>An enveloped RSA-SHA256 signature over the whole message, the signer's certificate in KeyInfo, placed last as the schema orders it.</summary>
    private static void Sign(XmlDocument document, X509Certificate2 signer)
    {
        var signed = new SignedXml(document) { SigningKey = signer.GetRSAPrivateKey() };
        signed.SignedInfo!.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;
        var reference = new Reference("") { DigestMethod = SignedXml.XmlDsigSHA256Url };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        signed.AddReference(reference);
        var key = new KeyInfo();
        key.AddClause(new KeyInfoX509Data(signer));
        signed.KeyInfo = key;
        signed.ComputeSignature();
        document.DocumentElement!.AppendChild(document.ImportNode(signed.GetXml(), true));
    }

    /// <summary>A key for a signer that only has to be well-formed (the sandbox's): RSA 2048, self-signed, a year.</summary>
    public static X509Certificate2 SelfSigned(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
    }
}
