using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MySign.TrustServices.Contracts;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Tokens;
using Wolverine;

namespace MySign.RemoteSigning.Signing;

/// <summary>A PDF this signer cannot sign (malformed, encrypted): the page says so, nothing is signed.</summary>
public sealed class UnsignablePdfException(string reason) : Exception(reason);

/// <summary>A PDF with its signature's incremental update written and the /Contents placeholder still empty.</summary>
public sealed record PreparedPdf(byte[] Bytes, int ContentsStart, int ContentsEnd);

/// <summary>The PAdES baseline levels (ETSI EN 319 142-1) this signer makes.</summary>
public enum PadesLevel { BB, BT, BLT, BLTA }

/// <summary>
/// PAdES baseline signatures (ETSI EN 319 142-1), each step an incremental update: the original bytes stay exactly as they
/// were. B-B/B-T: a signature dictionary (/SubFilter /ETSI.CAdES.detached, /ByteRange over everything but the signature),
/// an invisible signature field, the catalog and first page again (now pointing at the field), and a cross-reference
/// section of the same kind as the original's (table or stream) chained with /Prev. The CMS is Cades' (ESS
/// signing-certificate-v2, our TSA's signature time-stamp for B-T and up; no signing-time attribute, as PAdES asks: the
/// time is /M). B-LT adds a second update with the document security store (/DSS: the chain, the TSA's certificate, an
/// OCSP answer for the signer's and the TSA's certificates, the issuing and root CRLs). B-LTA adds a third: a document
/// time-stamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161) over everything before it. A certification signature
/// (DocMDP, P 2: forms and further signatures allowed) adds /Reference to the signature and /Perms to the catalog. The
/// key never reaches this class: it drafts what to sign and completes the document with the signature the token made.
/// </summary>
public sealed class Pades(Cades cades)
{
    /// <summary>Bytes kept for the CMS (certificates, time-stamp token and its certificate fit with room to spare).</summary>
    public const int Reserved = 24_000;
    /// <summary>Bytes kept for a document time-stamp token (its TSA certificate included).</summary>
    private const int TimeStampReserved = 8_000;
    private const string ByteRangePlaceholder = "[0 0000000000 0000000000 0000000000]";

    public static bool IsPdf(ReadOnlySpan<byte> content) => content.Length > 8 && content[..Math.Min(content.Length, 1024)].IndexOf("%PDF-"u8) >= 0;

    /// <summary>The CMS signed attributes over a prepared PDF's byte range (no signing time: the time is /M): what the holder's key signs.</summary>
    public static CadesDraft Draft(PreparedPdf update, X509Certificate2 signer, X509Certificate2 issuing) =>
        Cades.Draft(System.Security.Cryptography.SHA256.HashData(Covered(update)), signer, issuing, signingTime: null);

    /// <summary>
    /// Completes a PDF made ready by <see cref="Prepare"/>: the CMS with <paramref name="signature"/> (over <paramref name="draft"/>'s
    /// hash) into the reserved /Contents, then the level's updates.
    /// </summary>
    public async Task<byte[]> CompleteAsync(PreparedPdf update, CadesDraft draft, byte[] signature, DateTimeOffset now, IMessageBus bus, CancellationToken cancellation,
        PadesLevel level = PadesLevel.BLTA)
    {
        var cms = await cades.CompleteAsync(draft, signature, timeStamp: level != PadesLevel.BB, bus, cancellation);
        var signed = Fill(update, cms);
        if (level < PadesLevel.BLT) return signed;
        signed = AddDss(signed, await TrustServicesClient.ValidationMaterialAsync(bus, draft.Signer, cancellation));
        if (level < PadesLevel.BLTA) return signed;
        var stamp = PrepareUpdate(signed, now, null, certify: false);
        return Fill(stamp, await TrustServicesClient.TimeStampAsync(bus, System.Security.Cryptography.SHA256.HashData(Covered(stamp)), cancellation));
    }

    /// <summary>The bytes a signature covers: all of the file but the /Contents placeholder.</summary>
    private static byte[] Covered(PreparedPdf update)
    {
        var content = new byte[update.ContentsStart + (update.Bytes.Length - update.ContentsEnd)];
        update.Bytes.AsSpan(0, update.ContentsStart).CopyTo(content);
        update.Bytes.AsSpan(update.ContentsEnd).CopyTo(content.AsSpan(update.ContentsStart));
        return content;
    }

    private static byte[] Fill(PreparedPdf update, byte[] signature)
    {
        var room = (update.ContentsEnd - update.ContentsStart - 2) / 2;
        if (signature.Length > room) throw new InvalidOperationException($"The signature ({signature.Length} bytes) does not fit the {room} reserved.");
        var signed = (byte[])update.Bytes.Clone();
        Encoding.ASCII.GetBytes(Convert.ToHexString(signature)).CopyTo(signed, update.ContentsStart + 1);
        return signed;
    }

    /// <summary>
    /// Reads the PDF and writes the incremental update with room for the signature, or throws <see cref="UnsignablePdfException"/>
    /// for a PDF this cannot sign (whatever the reader trips on: damage, encryption, nesting deeper than it follows). Nothing
    /// is signed yet, so a caller can refuse before spending anything.
    /// </summary>
    /// <param name="certify">a certification signature (DocMDP): only for a document that carries no signature yet.</param>
    public static PreparedPdf Prepare(byte[] pdf, DateTimeOffset now, string signerName, bool certify = false) =>
        Reading(() => PrepareUpdate(pdf, now, signerName, certify));

    private static T Reading<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (OperationCanceledException or UnsignablePdfException))
        {
            throw new UnsignablePdfException(e is PdfDocumentStackDepthException ? "nested too deep" : "damaged");
        }
    }

    /// <summary>A signature (signerName set) or a document time-stamp (null), in its own incremental update.</summary>
    private static PreparedPdf PrepareUpdate(byte[] pdf, DateTimeOffset now, string? signerName, bool certify)
    {
        using var update = new Update(pdf);
        if (certify && (update.Catalog.Data.ContainsKey("Perms") || update.HasSignatures))
            throw new UnsignablePdfException("already signed: a certification signature must be the first");
        var reserved = signerName is null ? TimeStampReserved : Reserved;
        var dictionary = signerName is null
            ? "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange "
            : "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange ";
        var (signatureNumber, byteRangeAt, contentsStart, contentsEnd) = update.AddSignature(dictionary, reserved,
            signerName is null ? " >>" : $" /M ({PdfDate(now)}) /Name {Literal(signerName)}" +
                (certify ? " /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 2 /V /1.2 >> >>]" : "") + " >>");
        var widgetNumber = update.Add($"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature{update.Next}) /V {signatureNumber} 0 R /F 132 " +
                                      $"/Rect [0 0 0 0] /P {update.PageRef.ObjectNumber} {update.PageRef.Generation} R >>");
        var widget = new IndirectReferenceToken(new IndirectReference(widgetNumber, 0));
        update.Replace(update.PageRef, update.Page.With("Annots", new ArrayToken([.. update.Array(update.Page, "Annots"), widget])));
        var form = update.Resolve(update.Catalog.Data.GetValueOrDefault("AcroForm")) as DictionaryToken ?? new DictionaryToken(new Dictionary<NameToken, IToken>());
        form = form.With("Fields", new ArrayToken([.. update.Array(form, "Fields"), widget])).With("SigFlags", new NumericToken(3));
        var catalog = update.Catalog.With("AcroForm", form);
        if (certify)
            catalog = catalog.With("Perms", new DictionaryToken(new Dictionary<NameToken, IToken>
            {
                [NameToken.Create("DocMDP")] = new IndirectReferenceToken(new IndirectReference(signatureNumber, 0)),
            }));
        update.Replace(update.CatalogRef, catalog);
        var bytes = update.Finish();
        var byteRange = $"[0 {contentsStart} {contentsEnd} {bytes.Length - contentsEnd}]".PadRight(ByteRangePlaceholder.Length);
        Encoding.ASCII.GetBytes(byteRange).CopyTo(bytes, byteRangeAt);
        return new PreparedPdf(bytes, contentsStart, contentsEnd);
    }

    /// <summary>B-LT: the document security store (ETSI EN 319 142-1 §5.4.2) in its own incremental update.</summary>
    private static byte[] AddDss(byte[] pdf, ValidationMaterial material) => Reading(() =>
    {
        using var update = new Update(pdf);
        string Streams(IEnumerable<byte[]> items) => "[" + string.Join(' ', items.Select(i => $"{update.AddStream(i)} 0 R")) + "]";
        var certificates = Streams(material.Certificates);
        var ocsps = Streams(material.OcspResponses);
        var crls = Streams(material.Crls);
        var dss = update.Add($"<< /Type /DSS /Certs {certificates} /OCSPs {ocsps} /CRLs {crls} >>");
        update.Replace(update.CatalogRef, update.Catalog.With("DSS", new IndirectReferenceToken(new IndirectReference(dss, 0))));
        return update.Finish();
    });

    /// <summary>
    /// One incremental update of a PDF read by PdfPig: new objects numbered from the trailer's /Size, replaced ones written
    /// again, then a cross-reference section of the original's kind chained to the previous one with /Prev.
    /// </summary>
    private sealed class Update : IDisposable
    {
        private readonly PdfDocument _document;
        private readonly MemoryStream _output;
        private readonly SortedDictionary<int, (long Offset, int Generation)> _offsets = [];
        private readonly long _previous;
        private readonly bool _streamXref;
        public Structure Structure => _document.Structure;
        public IndirectReference CatalogRef { get; }
        public DictionaryToken Catalog { get; }
        public IndirectReference PageRef { get; }
        public DictionaryToken Page { get; }
        public int Next { get; private set; }

        public Update(byte[] pdf)
        {
            _document = PdfDocument.Open(pdf);
            if (Structure.Trailer.EncryptionToken is not null) throw new UnsignablePdfException("encrypted");
            CatalogRef = Structure.Trailer.Root;
            Catalog = Structure.GetObject(CatalogRef).Data as DictionaryToken ?? throw new UnsignablePdfException("damaged");
            (PageRef, Page) = FirstPage(Structure, Catalog) ?? throw new UnsignablePdfException("damaged");
            Next = Structure.Trailer.Size;
            _previous = LastXref(pdf);
            _streamXref = !pdf.AsSpan((int)_previous).StartsWith("xref"u8);
            _output = new MemoryStream(pdf.Length + Reserved * 2 + 4096);
            _output.Write(pdf);
            if (pdf[^1] is not ((byte)'\n' or (byte)'\r')) _output.WriteByte((byte)'\n');
        }

        /// <summary>Whether a signature field of the document already carries a value.</summary>
        public bool HasSignatures =>
            Resolve(Catalog.Data.GetValueOrDefault("AcroForm")) is DictionaryToken form
            && Array(form, "Fields").Select(Resolve).OfType<DictionaryToken>().Any(f => f.Data.ContainsKey("V") && f.Data.GetValueOrDefault("FT") is NameToken { Data: "Sig" });

        public IToken? Resolve(IToken? token) => Pades.Resolve(Structure, token);

        public IReadOnlyList<IToken> Array(DictionaryToken dictionary, string key) =>
            Resolve(dictionary.Data.GetValueOrDefault(key)) is ArrayToken array ? array.Data : [];

        public int Add(string body)
        {
            var number = Next++;
            _offsets[number] = (_output.Position, 0);
            Write(_output, $"{number} 0 obj\n{body}\nendobj\n");
            return number;
        }

        public int AddStream(byte[] data)
        {
            var number = Next++;
            _offsets[number] = (_output.Position, 0);
            Write(_output, $"{number} 0 obj\n<< /Length {data.Length} >>\nstream\n");
            _output.Write(data);
            Write(_output, "\nendstream\nendobj\n");
            return number;
        }

        /// <summary>A signature dictionary: where its /ByteRange and /Contents placeholder are, to fill once the file is whole.</summary>
        public (int Number, int ByteRangeAt, int ContentsStart, int ContentsEnd) AddSignature(string head, int reserved, string tail)
        {
            var number = Next++;
            _offsets[number] = (_output.Position, 0);
            Write(_output, $"{number} 0 obj\n{head}");
            var byteRangeAt = (int)_output.Position;
            Write(_output, ByteRangePlaceholder + " /Contents ");
            var contentsStart = (int)_output.Position;
            Write(_output, "<" + new string('0', reserved * 2) + ">");
            var contentsEnd = (int)_output.Position;
            Write(_output, tail + "\nendobj\n");
            return (number, byteRangeAt, contentsStart, contentsEnd);
        }

        public void Replace(IndirectReference reference, IToken value)
        {
            _offsets[(int)reference.ObjectNumber] = (_output.Position, reference.Generation);
            WriteObject(_output, reference, value);
        }

        public byte[] Finish()
        {
            var size = Next + (_streamXref ? 1 : 0);
            var trailer = new StringBuilder($"/Size {size} /Root {CatalogRef.ObjectNumber} {CatalogRef.Generation} R /Prev {_previous}");
            if (Structure.Trailer.Info is IndirectReferenceToken info) trailer.Append(" /Info ").Append(Serialize(info));
            if (Structure.Trailer.Identifier is { Count: 2 } id)
                trailer.Append(" /ID [").Append(Serialize((IToken)id[0])).Append(' ').Append(Serialize((IToken)id[1])).Append(']');
            if (_streamXref) WriteXrefStream(_output, _offsets, Next, trailer.ToString());
            else WriteXrefTable(_output, _offsets, trailer.ToString());
            return _output.ToArray();
        }

        public void Dispose()
        {
            _document.Dispose();
            _output.Dispose();
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

    private static (IndirectReference Ref, DictionaryToken Page)? FirstPage(Structure structure, DictionaryToken catalog)
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
