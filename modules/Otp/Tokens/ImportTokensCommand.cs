using JasperFx.CommandLine;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Otp.Challenges;
using MySign.Otp.Codes;
using MySign.Otp.Domain;

[assembly: JasperFx.JasperFxAssembly]

namespace MySign.Otp.Tokens;

public sealed class ImportTokensInput : NetCoreInput
{
    [Description("CSV file: serial,seed (seed in hex or base32), one token a line")]
    public string File { get; set; } = "";
}

/// <summary>The TSP's step that provisions hardware tokens: `dotnet MySign.Web.dll otp-import-tokens tokens.csv`.</summary>
[Description("Imports hardware OTP tokens (serial,seed CSV); existing serials are left unchanged", Name = "otp-import-tokens")]
public sealed class ImportTokensCommand : JasperFxAsyncCommand<ImportTokensInput>
{
    public override async Task<bool> Execute(ImportTokensInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var secrets = host.Services.GetRequiredService<OtpSecrets>();
        var (tokens, errors) = TokenCsv.Parse(await File.ReadAllLinesAsync(input.File));
        foreach (var error in errors) Console.Error.WriteLine(error);
        await using var session = store.LightweightSession();
        var known = (await session.LoadManyAsync<HardwareToken>(tokens.Select(t => t.Serial).ToArray())).Select(t => t.Id).ToHashSet();
        foreach (var (serial, seed) in tokens.Where(t => !known.Contains(t.Serial)))
            session.Insert(new HardwareToken { Id = serial, Seed = secrets.Protect(seed) });
        session.Insert(Kernel.Operations.CommandAudit.Of("otp-import-tokens",
            $"{Path.GetFileName(input.File)}: {tokens.Count(t => !known.Contains(t.Serial))} new, {known.Count} known, {errors.Count} refused", TimeProvider.System.GetUtcNow()));
        await session.SaveChangesAsync();
        Console.WriteLine($"imported {tokens.Count(t => !known.Contains(t.Serial))} tokens, {known.Count} already known, {errors.Count} lines refused");
        return errors.Count == 0;
    }
}

public static class TokenCsv
{
    public static (List<(string Serial, byte[] Seed)> Tokens, List<string> Errors) Parse(IEnumerable<string> lines)
    {
        var tokens = new List<(string, byte[])>();
        var errors = new List<string>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("serial", StringComparison.OrdinalIgnoreCase)) continue;
            var parts = line.Split(',', ';');
            if (parts.Length != 2 || parts[0].Trim().Length is 0 or > 40) { errors.Add($"line {number}: expected serial,seed"); continue; }
            var seed = Seed(parts[1].Trim());
            if (seed is null || seed.Length < 10) { errors.Add($"line {number}: the seed is not hex or base32 of at least 80 bits"); continue; }
            tokens.Add((parts[0].Trim().ToUpperInvariant(), seed));
        }
        return (tokens, errors);
    }

    private static byte[]? Seed(string text)
    {
        if (text.Length % 2 == 0 && text.All(Uri.IsHexDigit)) return Convert.FromHexString(text);
        try { return Base32.Decode(text); } catch (FormatException) { return null; }
    }
}
