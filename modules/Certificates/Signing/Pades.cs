using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Tokens;

namespace MySign.Certificates.Signing;

/// <summary>A PDF this signer cannot sign (malformed, encrypted): the page says so, nothing is signed.</summary>
public sealed class UnsignablePdfException(string reason) : Exception(reason);

/// <summary>A PDF with its signature's incremental update written and the /Contents placeholder still empty.</summary>
public sealed record PreparedPdf(byte[] Bytes, int ContentsStart, int ContentsEnd);

/// <summary>
/// PAdES baseline signatures (ETSI EN 319 142-1) at level B-T, written as an incremental update: the original bytes
/// stay exactly as they were, and after them come a signature dictionary (/SubFilter /ETSI.CAdES.detached, /ByteRange
/// over everything but the signature), an invisible signature field, the catalog and first page again (now pointing
/// at the field), and a cross-reference section of the same kind as the original's (table or stream) chained with
/// /Prev. The CMS is Cades' (ESS signing-certificate-v2, our TSA's signature time-stamp; no signing-time attribute,
/// as PAdES asks: the time is /M). The key never reaches this class, only a certificate holding it.
/// </summary>
public sealed class Pades(Cades cades)
{
    /// <summary>Bytes kept for the CMS (certificates, time-stamp token and its certificate fit with room to spare).</summary>
    public const int Reserved = 24_000;
    private const string ByteRangePlaceholder = "[0 0000000000 0000000000 0000000000]";

    public static bool IsPdf(ReadOnlySpan<byte> content) => content.Length > 8 && content[..Math.Min(content.Length, 1024)].IndexOf("%PDF-"u8) >= 0;

    public Task<byte[]> SignAsync(byte[] pdf, X509Certificate2 signingCertificate, X509Certificate2 issuing, DateTimeOffset now, string signerName,
        CancellationToken cancellation, bool timeStamp = true) =>
        CompleteAsync(Prepare(pdf, now, signerName), signingCertificate, issuing, now, cancellation, timeStamp);

    /// <summary>Signs a PDF made ready by <see cref="Prepare"/>: the CMS over its byte range goes into the reserved /Contents.</summary>
    public async Task<byte[]> CompleteAsync(PreparedPdf update, X509Certificate2 signingCertificate, X509Certificate2 issuing, DateTimeOffset now,
        CancellationToken cancellation, bool timeStamp = true)
    {
        var signed = (byte[])update.Bytes.Clone();
        var content = new byte[update.ContentsStart + (signed.Length - update.ContentsEnd)];
        signed.AsSpan(0, update.ContentsStart).CopyTo(content);
        signed.AsSpan(update.ContentsEnd).CopyTo(content.AsSpan(update.ContentsStart));
        var cms = await cades.SignDetachedAsync(content, signingCertificate, issuing, now, cancellation, signingTime: false, timeStamp: timeStamp);
        if (cms.Length > Reserved) throw new InvalidOperationException($"The signature ({cms.Length} bytes) does not fit the {Reserved} reserved.");
        var hex = Encoding.ASCII.GetBytes(Convert.ToHexString(cms));
        hex.CopyTo(signed, update.ContentsStart + 1);
        return signed;
    }

    /// <summary>
    /// Reads the PDF and writes the incremental update with room for the signature, or throws <see cref="UnsignablePdfException"/>
    /// for a PDF this cannot sign (whatever the reader trips on: damage, encryption, nesting deeper than it follows). Nothing
    /// is signed yet, so a caller can refuse before spending anything.
    /// </summary>
    public static PreparedPdf Prepare(byte[] pdf, DateTimeOffset now, string signerName)
    {
        try
        {
            return PrepareUpdate(pdf, now, signerName);
        }
        catch (Exception e) when (e is not (OperationCanceledException or UnsignablePdfException))
        {
            throw new UnsignablePdfException(e is UglyToad.PdfPig.Core.PdfDocumentStackDepthException ? "nested too deep" : "damaged");
        }
    }

    private static PreparedPdf PrepareUpdate(byte[] pdf, DateTimeOffset now, string signerName)
    {
        using (var document = PdfDocument.Open(pdf))
        {
            var structure = document.Structure;
            if (structure.Trailer.EncryptionToken is not null) throw new UnsignablePdfException("encrypted");
            var catalogRef = structure.Trailer.Root;
            if (structure.GetObject(catalogRef).Data is not DictionaryToken catalog) throw new UnsignablePdfException("damaged");
            var (pageRef, page) = FirstPage(structure, catalog) ?? throw new UnsignablePdfException("damaged");

            var size = structure.Trailer.Size;
            int signatureNumber = size, widgetNumber = size + 1;
            var previous = LastXref(pdf);
            var streamXref = !pdf.AsSpan((int)previous).StartsWith("xref"u8);
            var newSize = size + (streamXref ? 3 : 2);

            var output = new MemoryStream(pdf.Length + Reserved * 2 + 4096);
            output.Write(pdf);
            if (pdf[^1] is not ((byte)'\n' or (byte)'\r')) output.WriteByte((byte)'\n');
            var offsets = new SortedDictionary<int, (long Offset, int Generation)>();

            // The signature dictionary, with room for the CMS and the byte range written once everything is in place.
            offsets[signatureNumber] = (output.Position, 0);
            var name = Literal(signerName);
            Write(output, $"{signatureNumber} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ");
            var byteRangeAt = (int)output.Position;
            Write(output, ByteRangePlaceholder + " /Contents ");
            var contentsStart = (int)output.Position;
            Write(output, "<" + new string('0', Reserved * 2) + ">");
            var contentsEnd = (int)output.Position;
            Write(output, $" /M ({PdfDate(now)}) /Name {name} >>\nendobj\n");

            offsets[widgetNumber] = (output.Position, 0);
            Write(output, $"{widgetNumber} 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature{widgetNumber}) /V {signatureNumber} 0 R /F 132 " +
                          $"/Rect [0 0 0 0] /P {pageRef.ObjectNumber} {pageRef.Generation} R >>\nendobj\n");

            var widget = new IndirectReferenceToken(new IndirectReference(widgetNumber, 0));
            offsets[(int)pageRef.ObjectNumber] = (output.Position, pageRef.Generation);
            var annotations = Resolve(structure, page.Data.GetValueOrDefault("Annots")) is ArrayToken existing ? existing.Data : [];
            WriteObject(output, pageRef, page.With("Annots", new ArrayToken([.. annotations, widget])));

            var form = Resolve(structure, catalog.Data.GetValueOrDefault("AcroForm")) as DictionaryToken ?? new DictionaryToken(new Dictionary<NameToken, IToken>());
            var fields = Resolve(structure, form.Data.GetValueOrDefault("Fields")) is ArrayToken known ? known.Data : [];
            form = form.With("Fields", new ArrayToken([.. fields, widget])).With("SigFlags", new NumericToken(3));
            offsets[(int)catalogRef.ObjectNumber] = (output.Position, catalogRef.Generation);
            WriteObject(output, catalogRef, catalog.With("AcroForm", form));

            var trailer = new StringBuilder($"/Size {newSize} /Root {catalogRef.ObjectNumber} {catalogRef.Generation} R /Prev {previous}");
            if (structure.Trailer.Info is IndirectReferenceToken info) trailer.Append(" /Info ").Append(Serialize(info));
            if (structure.Trailer.Identifier is { Count: 2 } id)
                trailer.Append(" /ID [").Append(Serialize((IToken)id[0])).Append(' ').Append(Serialize((IToken)id[1])).Append(']');
            if (streamXref) WriteXrefStream(output, offsets, newSize - 1, trailer.ToString());
            else WriteXrefTable(output, offsets, trailer.ToString());

            var bytes = output.ToArray();
            var byteRange = $"[0 {contentsStart} {contentsEnd} {bytes.Length - contentsEnd}]".PadRight(ByteRangePlaceholder.Length);
            Encoding.ASCII.GetBytes(byteRange).CopyTo(bytes, byteRangeAt);
            return new PreparedPdf(bytes, contentsStart, contentsEnd);
        }
    }

    /// <summary>Where the last cross-reference section starts (the file's final startxref).</summary>
    private static long LastXref(byte[] pdf)
    {
        var tail = pdf.AsSpan(Math.Max(0, pdf.Length - 2048));
        var at = tail.LastIndexOf("startxref"u8);
        if (at < 0) throw new UnsignablePdfException("damaged");
        var digits = Encoding.ASCII.GetString(tail[(at + 9)..]).TrimStart().Split((char[])['\r', '\n', ' '], 2)[0];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset >= 0 && offset < pdf.Length
            ? offset : throw new UnsignablePdfException("damaged");
    }

    private static (IndirectReference, DictionaryToken)? FirstPage(Structure structure, DictionaryToken catalog)
    {
        var node = catalog.Data.GetValueOrDefault("Pages") as IndirectReferenceToken;
        for (var depth = 0; node is not null && depth < 32; depth++)
        {
            if (structure.GetObject(node.Data).Data is not DictionaryToken dictionary) return null;
            if (dictionary.Data.GetValueOrDefault("Type") is NameToken { Data: "Page" }) return (node.Data, dictionary);
            node = Resolve(structure, dictionary.Data.GetValueOrDefault("Kids")) is ArrayToken { Length: > 0 } kids ? kids.Data[0] as IndirectReferenceToken : null;
        }
        return null;
    }

    private static IToken? Resolve(Structure structure, IToken? token) =>
        token is IndirectReferenceToken reference ? structure.GetObject(reference.Data).Data : token;

    private static void WriteObject(Stream output, IndirectReference reference, IToken value) =>
        Write(output, $"{reference.ObjectNumber} {reference.Generation} obj\n{Serialize(value)}\nendobj\n");

    private static void WriteXrefTable(Stream output, SortedDictionary<int, (long Offset, int Generation)> offsets, string trailer)
    {
        var at = output.Position;
        var text = new StringBuilder("xref\n");
        foreach (var (number, (offset, generation)) in offsets)
            text.Append(CultureInfo.InvariantCulture, $"{number} 1\n{offset:D10} {generation:D5} n\r\n");
        text.Append(CultureInfo.InvariantCulture, $"trailer\n<< {trailer} >>\nstartxref\n{at}\n%%EOF\n");
        Write(output, text.ToString());
    }

    private static void WriteXrefStream(Stream output, SortedDictionary<int, (long Offset, int Generation)> offsets, int number, string trailer)
    {
        offsets[number] = (output.Position, 0);
        var at = output.Position;
        var rows = new MemoryStream();
        foreach (var (_, (offset, generation)) in offsets)
        {
            rows.WriteByte(1);
            rows.Write([(byte)(offset >> 24), (byte)(offset >> 16), (byte)(offset >> 8), (byte)offset]);
            rows.Write([(byte)(generation >> 8), (byte)generation]);
        }
        var index = string.Join(' ', offsets.Keys.Select(k => $"{k} 1"));
        Write(output, $"{number} 0 obj\n<< /Type /XRef {trailer} /Index [{index}] /W [1 4 2] /Length {rows.Length} >>\nstream\n");
        output.Write(rows.ToArray());
        Write(output, $"\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n");
    }

    private static void Write(Stream output, string text) => output.Write(Encoding.Latin1.GetBytes(text));

    /// <summary>PDF syntax for a token read by PdfPig (strings as hex, so any bytes survive).</summary>
    private static string Serialize(IToken token) => token switch
    {
        NameToken name => "/" + EscapeName(name.Data),
        NumericToken number => number.HasDecimalPlaces ? number.Data.ToString("0.######", CultureInfo.InvariantCulture) : number.Long.ToString(CultureInfo.InvariantCulture),
        BooleanToken boolean => boolean.Data ? "true" : "false",
        NullToken => "null",
        IndirectReferenceToken reference => $"{reference.Data.ObjectNumber} {reference.Data.Generation} R",
        HexToken hex => "<" + Convert.ToHexString(hex.Bytes) + ">",
        StringToken text => "<" + Convert.ToHexString(text.GetBytes()) + ">",
        ArrayToken array => "[" + string.Join(' ', array.Data.Select(Serialize)) + "]",
        DictionaryToken dictionary => "<< " + string.Join(' ', dictionary.Data.Select(p => "/" + EscapeName(p.Key) + " " + Serialize(p.Value))) + " >>",
        _ => throw new UnsignablePdfException("unsupported"),
    };

    private static string EscapeName(string name)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(name))
            text.Append(b is < 0x21 or > 0x7e or (byte)'#' or (byte)'/' or (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'%'
                ? $"#{b:X2}" : ((char)b).ToString());
        return text.ToString();
    }

    /// <summary>A text string as UTF-16BE with its byte-order mark, in hex: any name, any script.</summary>
    private static string Literal(string text) => "<FEFF" + Convert.ToHexString(Encoding.BigEndianUnicode.GetBytes(text)) + ">";

    private static string PdfDate(DateTimeOffset at) => "D:" + at.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+00'00'";
}
