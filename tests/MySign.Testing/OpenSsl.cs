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

    public async Task<(int Exit, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    public void Dispose() => Directory.Delete(Folder, true);
}
