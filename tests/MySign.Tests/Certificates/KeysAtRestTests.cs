using System.Formats.Asn1;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.RemoteSigning.Csc;
using Npgsql;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>
/// Holder keys never exist in the clear outside the token (docs/adr/0015): after a certificate is issued, a document signed,
/// a CSC grant made, a renewal and a PIN change, neither a pg_dump of the database nor its files in PostgreSQL's data
/// directory hold anything that parses as a private key — every base64 run, every hex bytea and every DER sequence is tried
/// as PKCS#8, SEC1 and PKCS#12.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class KeysAtRestTests(AppFixture app)
{
    private const string Pin = "61829374", NewPin = "73920581";

    [Fact]
    public void the_scan_finds_a_private_key_in_each_form_it_looks_for()
    {
        // The canary: the same scan must see a key, or its silence below would prove nothing.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        Scan(System.Text.Encoding.ASCII.GetBytes("{\"k\":\"" + Convert.ToBase64String(pkcs8) + "\"}")).ShouldContain("PKCS#8");
        Scan(System.Text.Encoding.ASCII.GetBytes("COPY t (b) FROM stdin;\n\\\\x" + Convert.ToHexString(key.ExportECPrivateKey()).ToLowerInvariant() + "\n")).ShouldContain("SEC1");
        using var certificate = new CertificateRequest("CN=canary", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        Scan([.. RandomNumberGenerator.GetBytes(100), .. certificate.Export(X509ContentType.Pkcs12, "x"), .. RandomNumberGenerator.GetBytes(100)]).ShouldContain("PKCS#12");
        Scan(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(4096)))).ShouldBeEmpty();
    }

    [Fact]
    public async Task no_private_key_parses_in_a_dump_or_the_data_files_after_issuance_signing_a_csc_grant_renewal_and_a_pin_change()
    {
        var holder = await Holders.CreateAsync(app.Store, "Elena", "Custodi");
        using var scope = app.Host.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        await bus.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Elena", "Custodi", "CSTLNE85A41F205Q", Pin));

        // A signature in the portal.
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/sign");
        var otp = await portal.PostAsync("/sign/otp", new());
        var challenge = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        HttpResponseMessage signed = null!;
        await app.Host.ExecuteAndWaitAsync(async () => signed = await RemoteSigning.SignDocumentTests.Upload(portal, challenge, "Custodia delle chiavi.\n"u8.ToArray(), Pin,
            await Holders.LastSmsCodeAsync(app.Store, holder.Phone)), 30_000);
        signed.StatusCode.ShouldBe(HttpStatusCode.OK);

        // A CSC grant (its SAD is not used up: the grant stays in the database).
        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.8.8." + Random.Shared.Next(1, 250));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        var login = await Csc(http, "auth/login", new { });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("access_token").GetString());
        var credential = (await Csc(http, "credentials/list", new { })).GetProperty("credentialIDs")[0].GetString()!;
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        using (var sent = await http.PostAsJsonAsync("/csc/v2/credentials/sendOTP", new { credentialID = credential })) sent.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var hash = Convert.ToBase64String(SHA256.HashData("custodia"u8));
        var grant = await Csc(http, "credentials/authorize", new { credentialID = credential, numSignatures = 2, hashes = new[] { hash, Convert.ToBase64String(SHA256.HashData("altro"u8)) },
            authData = new object[] { new { id = "PIN", value = Pin }, new { id = "OTP", value = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) } } });
        (await Csc(http, "signatures/signHash", new { credentialID = credential, SAD = grant.GetProperty("SAD").GetString(), hashes = new[] { hash }, signAlgo = CscApi.EcdsaWithSha256 }))
            .GetProperty("signatures").GetArrayLength().ShouldBe(1);

        // A renewal (a new key, made in the token and sealed under the new certificate's PIN), then a PIN change on it.
        (await bus.InvokeAsync<SignaturePinChecked>(new CheckSignaturePin(holder.Id, Pin))).Ok.ShouldBeTrue();
        (await bus.InvokeAsync<RenewalOutcome>(new RenewCertificate(holder.Id, Pin, Guid.NewGuid()))).Issued.ShouldNotBeNull();
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        await portal.GetAsync("/");
        (await portal.PostAsync("/pin", new() { ["current"] = Pin, ["new"] = NewPin, ["confirm"] = NewPin })).Status.ShouldBe(HttpStatusCode.OK);
        (await portal.PostAsync("/pin/confirm", new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) })).Text.ShouldContain("the old PIN no longer works");

        // pg_dump of the whole database, as a backup would take it.
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString);
        using var dump = new OpenSsl();
        var (exit, output) = await dump.RunProgramAsync("pg_dump", ["-h", database.Host!, "-p", database.Port.ToString(), "-U", database.Username!, "-f",
            Path.Combine(dump.Folder, "dump.sql"), database.Database!]);
        exit.ShouldBe(0, output);
        var dumped = await File.ReadAllBytesAsync(Path.Combine(dump.Folder, "dump.sql"));
        dumped.Length.ShouldBeGreaterThan(100_000, "the dump holds the portal's data");
        System.Text.Encoding.ASCII.GetString(dumped).ShouldContain(holder.Id);
        Scan(dumped).ShouldBeEmpty("no private key in the dump");

        // The database's own files in PostgreSQL's data directory, written out first.
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using (var checkpoint = new NpgsqlCommand("checkpoint", connection)) await checkpoint.ExecuteNonQueryAsync();
        await using var where = new NpgsqlCommand("select current_setting('data_directory') || '/base/' || oid from pg_database where datname = current_database()", connection);
        var files = Directory.GetFiles((string)(await where.ExecuteScalarAsync())!);
        files.Length.ShouldBeGreaterThan(100);
        var found = new List<string>();
        foreach (var file in files)
            found.AddRange(Scan(await File.ReadAllBytesAsync(file)).Select(f => $"{f} in {Path.GetFileName(file)}"));
        found.ShouldBeEmpty("no private key in the database's files");
    }

    private static async Task<JsonElement> Csc(HttpClient http, string method, object body)
    {
        using var response = await http.PostAsJsonAsync("/csc/v2/" + method, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{method}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [GeneratedRegex(@"[A-Za-z0-9+/_\-]{40,}={0,2}")]
    private static partial Regex Base64Run();

    [GeneratedRegex(@"\\x([0-9a-fA-F]{64,})")]
    private static partial Regex HexBytea();

    /// <summary>The private keys found in <paramref name="content"/>: raw DER, and DER inside every base64 run and hex bytea.</summary>
    public static List<string> Scan(byte[] content)
    {
        var found = Der(content);
        var text = System.Text.Encoding.Latin1.GetString(content);
        if (text.Contains("PRIVATE KEY-----")) found.Add("PEM");
        foreach (Match run in Base64Run().Matches(text))
        {
            var value = run.Value.Replace('-', '+').Replace('_', '/').TrimEnd('=');
            // A run may start anywhere in a longer one: try the four alignments.
            for (var skip = 0; skip < 4 && value.Length - skip >= 40; skip++)
            {
                var aligned = value[skip..];
                aligned = aligned[..(aligned.Length - aligned.Length % 4 == 1 ? aligned.Length - 1 : aligned.Length)];
                aligned = aligned.PadRight((aligned.Length + 3) / 4 * 4, '=');
                try { found.AddRange(Der(Convert.FromBase64String(aligned))); }
                catch (FormatException) { }
            }
        }
        foreach (Match hex in HexBytea().Matches(text))
            found.AddRange(Der(Convert.FromHexString(hex.Groups[1].Value.Length % 2 == 0 ? hex.Groups[1].Value : hex.Groups[1].Value[..^1])));
        return found;
    }

    /// <summary>Every SEQUENCE that starts like a private key (INTEGER 0, 1 or 3 first) and decodes as one.</summary>
    private static List<string> Der(byte[] bytes)
    {
        var found = new List<string>();
        for (var i = 0; i + 8 < bytes.Length; i++)
        {
            if (bytes[i] != 0x30) continue;
            int header, length;
            if (bytes[i + 1] < 0x80) (header, length) = (2, bytes[i + 1]);
            else if (bytes[i + 1] == 0x81) (header, length) = (3, bytes[i + 2]);
            else if (bytes[i + 1] == 0x82) (header, length) = (4, bytes[i + 2] << 8 | bytes[i + 3]);
            else continue;
            if (length < 16 || i + header + length > bytes.Length || i + header + 3 > bytes.Length) continue;
            var body = i + header;
            if (bytes[body] != 0x02 || bytes[body + 1] != 0x01 || bytes[body + 2] is not (0 or 1 or 3)) continue;
            var der = new ReadOnlyMemory<byte>(bytes, i, header + length);
            if (Try(() => Pkcs8PrivateKeyInfo.Decode(der, out _, skipCopy: true))) found.Add("PKCS#8");
            if (Try(() => { using var ec = ECDsa.Create(); ec.ImportECPrivateKey(der.Span, out _); })) found.Add("SEC1");
            if (Try(() => Pkcs12Info.Decode(der, out _, skipCopy: true))) found.Add("PKCS#12");
        }
        return found;
    }

    private static bool Try(Action parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or ArgumentException)
        {
            return false;
        }
    }
}
