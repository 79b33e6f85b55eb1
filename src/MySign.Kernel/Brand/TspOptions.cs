namespace MySign.Kernel.Brand;

/// <summary>
/// The trust service provider people deal with, as every mail footer and PDF letterhead names it (configuration "Tsp").
/// The defaults are the demo company's, the same as the invoices' seller in Development; a release names its own.
/// </summary>
public sealed class TspOptions
{
    public string LegalName { get; set; } = "MySign S.p.A.";
    public string Address { get; set; } = "Via della Firma 1, 00187 Roma (RM), Italia";
    public string VatNumber { get; set; } = "IT01234567897";
    public string SupportEmail { get; set; } = "assistenza@mysign.example";
    public string SupportPhone { get; set; } = "+39 06 0000 0000";
    public string Web { get; set; } = "https://mysign.example";

    /// <summary>The contacts line of a letterhead or a footer.</summary>
    public string Contacts => $"{SupportEmail} · {SupportPhone} · {Web}";
}
