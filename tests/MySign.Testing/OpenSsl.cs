using System.Diagnostics;

namespace MySign.Testing;

/// <summary>Runs the machine's openssl on files the app produced; returns its exit code and everything it printed.</summary>
public sealed class OpenSsl : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("mysign-openssl-").FullName;

    public string Write(string name, byte[] content)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public string Write(string name, string content) => Write(name, System.Text.Encoding.ASCII.GetBytes(content));

    public Task<(int Exit, string Output)> RunAsync(params string[] arguments) => RunProgramAsync("openssl", arguments);

    /// <summary>Another independent tool (pdfsig, qpdf, certutil, pdftotext) run in the same folder.</summary>
    public async Task<(int Exit, string Output)> RunProgramAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>An NSS database (what poppler's pdfsig reads) that trusts <paramref name="rootPem"/> as a CA; its "sql:" path.</summary>
    public async Task<string> NssTrustingAsync(string rootPem)
    {
        var nss = Path.Combine(Folder, "nss");
        Directory.CreateDirectory(nss);
        Write("nss-root.pem", rootPem);
        if ((await RunProgramAsync("certutil", ["-N", "-d", "sql:" + nss, "--empty-password"])).Exit != 0
            || (await RunProgramAsync("certutil", ["-A", "-n", "MySign root", "-t", "CT,C,C", "-i", "nss-root.pem", "-d", "sql:" + nss])).Exit != 0)
            throw new InvalidOperationException("certutil could not make the NSS database");
        return "sql:" + nss;
    }

    public void Dispose() => Directory.Delete(Folder, true);
}
