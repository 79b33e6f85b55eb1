using System.Diagnostics;
using System.Text.RegularExpressions;
using MySign.Custody;

namespace MySign.Testing;

/// <summary>
/// The SoftHSM2 tokens `scripts/services.sh` made under .local/softhsm (their settings come from `services.sh env`, as the
/// app's do), and OpenSC's pkcs11-tool to look at them from outside.
/// </summary>
public static class Tokens
{
    private static string Setting(string name, string fallback = "") => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    /// <summary>The online token: the CA, OCSP and TSA keys and the key that wraps holder keys.</summary>
    public static TokenSettings Online => new(Setting("Hsm__Library", "/usr/lib/softhsm/libsofthsm2.so"), Setting("Hsm__TokenLabel", "mysign"), Setting("Hsm__Pin"),
        LockFile: NullIfEmpty(Setting("Hsm__LockFile")));

    /// <summary>The root's token, used only by the CA ceremony.</summary>
    public static TokenSettings Root => new(Setting("Hsm__Root__Library", "/usr/lib/softhsm/libsofthsm2.so"), Setting("Hsm__Root__TokenLabel", "mysign-root"),
        Setting("Hsm__Root__Pin"), "Hsm:Root", NullIfEmpty(Setting("Hsm__Root__LockFile", Setting("Hsm__LockFile"))));

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>
    /// `pkcs11-tool --list-objects` on <paramref name="token"/>, logged in: what an auditor would read. The token is named by
    /// its slot, found by its exact label: pkcs11-tool's own --token-label takes the first token whose label merely starts
    /// with it, so "mysign" picked "mysign-root" whenever that token's slot came first (and the login then failed with
    /// CKR_PIN_INCORRECT). SoftHSM2's login rewrites the token's file, so pkcs11-tool runs under `flock` on the tokens' lock
    /// file, as every app process opens them (MySign.Custody's TokenLock).
    /// </summary>
    public static async Task<string> ListObjectsAsync(TokenSettings token)
    {
        var slots = await Pkcs11ToolAsync(token, "--list-token-slots");
        var slot = Regex.Matches(slots, @"^Slot \d+ \((0x[0-9a-f]+)\):.*\n(?:[ \t].*\n)*?\s+token label\s+:\s(.*)$", RegexOptions.Multiline)
            .Where(m => m.Groups[2].Value.Trim() == token.TokenLabel).Select(m => m.Groups[1].Value).ToList();
        if (slot.Count != 1) throw new InvalidOperationException($"pkcs11-tool lists {slot.Count} tokens labelled exactly '{token.TokenLabel}':\n{slots}");
        return await Pkcs11ToolAsync(token, "--slot", slot[0], "--login", "--pin", token.Pin, "--list-objects");
    }

    private static async Task<string> Pkcs11ToolAsync(TokenSettings token, params string[] arguments)
    {
        string[] tool = ["pkcs11-tool", "--module", token.Library, .. arguments];
        string[] command = token.LockFile is { } lockFile ? ["flock", "--timeout", "60", lockFile, .. tool] : tool;
        var start = new ProcessStartInfo(command[0], command[1..]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pkcs11-tool {arguments[0]} failed ({process.ExitCode}): {await error}");
        return await output;
    }

    /// <summary>
    /// Destroys, in both tokens, the objects of the deployment whose database this is (its CA keys, its key that wraps holder
    /// keys): what a fixture does before it drops its database, so many test runs leave the shared token as they found it.
    /// </summary>
    public static async Task ForgetDeploymentAsync(string connectionString)
    {
        var prefixes = new List<string>();
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            // The signature activation module's prefix and the CA's (docs/adr/0020): each module names its own objects.
            foreach (var table in new[] { "certificates.mt_doc_custodydeployment", "trustservices.mt_doc_cadeployment" })
            {
                await using var command = new Npgsql.NpgsqlCommand($"select data->>'Prefix' from {table} where id = 'deployment'", connection);
                try
                {
                    if (await command.ExecuteScalarAsync() is string { Length: > 0 } prefix && !prefixes.Contains(prefix)) prefixes.Add(prefix);
                }
                catch (Npgsql.PostgresException e) when (e.SqlState == "42P01")
                {
                    // the app never started far enough to make this one
                }
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            Console.Error.WriteLine($"Tokens: the database is unreachable, its deployment's token objects are left ({e.Message})");
            return;
        }
        if (prefixes.Count == 0) return;
        foreach (var settings in new[] { Online, Root })
        {
            using var token = CryptoToken.Open(settings);
            foreach (var prefix in prefixes) token.DestroyObjects(prefix);
        }
    }

    /// <summary>pkcs11-tool's listing cut into one block per object (the first line names its class, "Private Key Object; EC").</summary>
    public static IReadOnlyList<string> Objects(string listing) =>
        Regex.Split(listing, @"\n(?=\S)").Where(b => b.Trim().Length > 0).ToList();
}
