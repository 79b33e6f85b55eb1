using System.Xml;
using System.Xml.Schema;

namespace MySign.Billing.Invoicing;

/// <summary>
/// The Agenzia delle Entrate's schemas as shipped in this assembly (Invoicing/Schemas, see its README): the FatturaPA
/// schema and the SdI messages' schema, each with its xmldsig import resolved from the same folder, never the network.
/// </summary>
public static class OfficialSchemas
{
    public const string FatturaPa = "FatturaPA_v1.2.2.xsd", SdiMessages = "MessaggiTypes_v1.1.xsd", Signature = "xmldsig-core.xsd";
    private static readonly Lazy<XmlSchemaSet> Invoices = new(() => Load(FatturaPa));
    private static readonly Lazy<XmlSchemaSet> Messages = new(() => Load(SdiMessages));

    public static XmlSchemaSet ForInvoices => Invoices.Value;
    public static XmlSchemaSet ForSdiMessages => Messages.Value;

    /// <summary>What the schema finds wrong with <paramref name="xml"/> (nothing: an empty list). A DTD is itself an error.</summary>
    public static IReadOnlyList<string> Problems(XmlSchemaSet schemas, byte[] xml)
    {
        var problems = new List<string>();
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity}: {e.Message} (line {e.Exception?.LineNumber})");
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml), settings);
            while (reader.Read()) { }
        }
        catch (XmlException e)
        {
            problems.Add(e.Message);
        }
        return problems;
    }

    private static XmlSchemaSet Load(string name)
    {
        var set = new XmlSchemaSet { XmlResolver = new Resolver() };
        // The signature schema first, read here because it carries a DTD subset the set's own reader would refuse.
        using (var stream = Open(Signature)) set.Add(XmlSchema.Read(Reader(stream), null)!);
        using (var stream = Open(name)) set.Add(XmlSchema.Read(Reader(stream), null)!);
        set.Compile();
        return set;
    }

    private static Stream Open(string name) =>
        typeof(OfficialSchemas).Assembly.GetManifestResourceStream("schemas/" + name) ?? throw new InvalidOperationException($"Schema {name} is not embedded.");

    // The xmldsig schema carries an internal DTD subset (entities): parsed, nothing external fetched.
    private static XmlReader Reader(Stream stream) =>
        XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Parse, XmlResolver = null });

    /// <summary>Imports resolve to the embedded file of the same name; nothing else is read.</summary>
    private sealed class Resolver : XmlResolver
    {
        public override Uri ResolveUri(Uri? baseUri, string? relativeUri) => new("embedded:///" + Path.GetFileName(relativeUri ?? ""));
        public override object? GetEntity(Uri absoluteUri, string? role, Type? ofObjectToReturn) => Open(Path.GetFileName(absoluteUri.AbsolutePath));
    }
}
