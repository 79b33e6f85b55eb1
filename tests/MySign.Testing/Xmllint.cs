namespace MySign.Testing;

/// <summary>
/// libxml2's xmllint (Debian libxml2-utils), a validator that owes nothing to .NET, judging the files the app wrote against
/// the Agenzia delle Entrate's schemas kept in the repository (modules/Billing/Invoicing/Schemas), offline.
/// </summary>
public static class Xmllint
{
    public static string Schemas => Path.Combine(AppProcess.RepositoryRoot(), "modules", "Billing", "Invoicing", "Schemas");
    public static string FatturaPa => Path.Combine(Schemas, "FatturaPA_v1.2.2.xsd");
    public static string SdiMessages => Path.Combine(Schemas, "MessaggiTypes_v1.1.xsd");

    /// <summary>Validates every file in one run; throws with xmllint's words (and the file names) unless all are valid.</summary>
    public static async Task ValidateAsync(string schema, IEnumerable<(string Name, byte[] Xml)> files)
    {
        using var folder = new OpenSsl();
        var paths = files.Select((f, i) => folder.Write($"{i:D4}-{Path.GetFileName(f.Name)}", f.Xml)).ToList();
        if (paths.Count == 0) throw new InvalidOperationException("No file to validate.");
        var (exit, output) = await folder.RunProgramAsync("xmllint", ["--noout", "--nonet", "--schema", schema, .. paths]);
        if (exit != 0) throw new InvalidOperationException($"xmllint refused {Path.GetFileName(schema)} validation (exit {exit}):\n{output}");
    }

    public static Task ValidateAsync(string schema, string name, byte[] xml) => ValidateAsync(schema, [(name, xml)]);
}
