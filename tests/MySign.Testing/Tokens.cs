using System.Diagnostics;
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
    public static TokenSettings Online => new(Setting("Hsm__Library", "/usr/lib/softhsm/libsofthsm2.so"), Setting("Hsm__TokenLabel", "mysign"), Setting("Hsm__Pin"));

    /// <summary>The root's token, used only by the CA ceremony.</summary>
    public static TokenSettings Root => new(Setting("Hsm__Root__Library", "/usr/lib/softhsm/libsofthsm2.so"), Setting("Hsm__Root__TokenLabel", "mysign-root"),
        Setting("Hsm__Root__Pin"), "Hsm:Root");

    /// <summary>
    /// `pkcs11-tool --list-objects` on <paramref name="token"/>, logged in: what an auditor would read.
    /// SoftHSM2 keeps a token in a file that every successful login rewrites: a pkcs11-tool login while a test's app logs in
    /// can read it half-written and answer CKR_PIN_INCORRECT or CKR_GENERAL_ERROR for the right PIN (a clean-clone run met
    /// it once). The PIN here is the one the app just logged in with, so such an answer is tried again (up to 20 times, a few seconds in all).
    /// </summary>
    public static async Task<string> ListObjectsAsync(TokenSettings token)
    {
        for (var attempt = 1; ; attempt++)
        {
            var start = new ProcessStartInfo("pkcs11-tool", ["--module", token.Library, "--token-label", token.TokenLabel, "--login", "--pin", token.Pin, "--list-objects"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode == 0) return await output;
            var refusal = await error;
            var torn = refusal.Contains("CKR_PIN_INCORRECT") || refusal.Contains("CKR_GENERAL_ERROR");
            if (!torn || attempt == 20) throw new InvalidOperationException($"pkcs11-tool failed ({process.ExitCode}): {refusal}");
            await Task.Delay(Random.Shared.Next(50, 300));
        }
    }

    /// <summary>
    /// Destroys, in both tokens, the objects of the deployment whose database this is (its CA keys, its key that wraps holder
    /// keys): what a fixture does before it drops its database, so many test runs leave the shared token as they found it.
    /// </summary>
    public static async Task ForgetDeploymentAsync(string connectionString)
    {
        string? prefix;
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("select data->>'Prefix' from certificates.mt_doc_custodydeployment where id = 'deployment'", connection);
            prefix = await command.ExecuteScalarAsync() as string;
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == "42P01")
        {
            return; // the app never started far enough to have a deployment
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            Console.Error.WriteLine($"Tokens: the database is unreachable, its deployment's token objects are left ({e.Message})");
            return;
        }
        if (string.IsNullOrEmpty(prefix)) return;
        foreach (var settings in new[] { Online, Root })
        {
            using var token = CryptoToken.Open(settings);
            token.DestroyObjects(prefix);
        }
    }

    /// <summary>pkcs11-tool's listing cut into one block per object (the first line names its class, "Private Key Object; EC").</summary>
    public static IReadOnlyList<string> Objects(string listing) =>
        System.Text.RegularExpressions.Regex.Split(listing, @"\n(?=\S)").Where(b => b.Trim().Length > 0).ToList();
}
