using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MySign.Dev;
using Npgsql;

namespace MySign.Tests.Foundation;

/// <summary>
/// The release migration of the RemoteSigning split (docs/adr/0021), on a deployment made before it: the CSC API's tokens and
/// OTP challenges, the OAuth clients and the signatures kept for download sit in the certificates schema. After
/// `resources setup`, a client goes on where it was: the same bearer token lists the same credential, the SAD it was given
/// signs, and its OAuth registration is still known.
/// </summary>
public sealed class RemoteSigningSplitTests : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();

    public Task InitializeAsync() => _smtp.StartAsync();
    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    private static readonly string[] Moved =
        ["mt_doc_csctoken", "mt_doc_cscotp", "mt_doc_oauthclient", "mt_doc_oauthrequest", "mt_doc_oauthcode", "mt_doc_signeddocument"];

    [Fact]
    public async Task a_csc_client_of_a_deployment_from_before_the_split_keeps_its_token_its_sad_and_its_registration()
    {
        await using var app = new AppProcess();
        await app.StartAsync(_smtp);
        (await app.RunAsync("csc-client-add", "wallet.split", "Wallet di prova", "https://wallet.example/cb")).Exit.ShouldBe(0, "the command moved with its module");
        using var csc = new HttpClient { BaseAddress = app.BaseAddress };
        csc.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Demo.HolderUserId}:{Demo.HolderPassword}")));
        var token = (await Post(csc, "auth/login", new { })).Body.GetProperty("access_token").GetString()!;
        csc.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var credential = (await Post(csc, "credentials/list", new { })).Body.GetProperty("credentialIDs")[0].GetString()!;
        (await Post(csc, "credentials/sendOTP", new { credentialID = credential })).Status.ShouldBe(HttpStatusCode.NoContent);
        string otp;
        using (var store = AppStore.For(app.ConnectionString)) otp = await Holders.LastSmsCodeAsync(store, Demo.HolderMobile);
        string[] hashes = [Convert.ToBase64String(SHA256.HashData("signed across the upgrade"u8))];
        var (authorized, grant) = await Post(csc, "credentials/authorize", new
        {
            credentialID = credential, numSignatures = 1, hashes,
            authData = new[] { new { id = "PIN", value = Demo.HolderPin }, new { id = "OTP", value = otp } },
        });
        authorized.ShouldBe(HttpStatusCode.OK, grant.ToString());
        await app.KillAsync();

        // The layout of the release before: the remote signing documents are Certificates'.
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var table in Moved) await connection.ExecuteAsync($"alter table remotesigning.{table} set schema certificates");
        }

        var (exit, output) = await app.RunAsync("resources", "setup");
        exit.ShouldBe(0, output);
        (await app.RunAsync("resources", "setup")).Exit.ShouldBe(0, "the migration runs again and finds nothing to move");
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            (await connection.ScalarAsync($"select count(*) from information_schema.tables where table_schema = 'certificates' and table_name in ('{string.Join("', '", Moved)}')"))
                .ShouldBe(0L);
            (await connection.ScalarAsync("select count(*) from remotesigning.mt_doc_csctoken")).ShouldBe(1L);
        }
        await app.RestartAsync();

        var (listed, list) = await Post(csc, "credentials/list", new { });
        listed.ShouldBe(HttpStatusCode.OK, "the bearer token issued before the upgrade still answers");
        list.GetProperty("credentialIDs")[0].GetString().ShouldBe(credential);
        var (signed, signatures) = await Post(csc, "signatures/signHash",
            new { credentialID = credential, SAD = grant.GetProperty("SAD").GetString(), hashes, signAlgo = "1.2.840.10045.4.3.2" });
        signed.ShouldBe(HttpStatusCode.OK, signatures.ToString());
        signatures.GetProperty("signatures").GetArrayLength().ShouldBe(1);
        // A known client with a code it never got: the code is refused, not the client.
        using var anonymous = new HttpClient { BaseAddress = app.BaseAddress };
        var redeemed = await anonymous.PostAsync("/csc/v2/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = "wallet.split", ["code"] = "never-issued", ["code_verifier"] = new string('v', 43),
        }));
        (await redeemed.Content.ReadAsStringAsync()).ShouldContain("invalid_grant");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpClient http, string method, object body)
    {
        using var response = await http.PostAsJsonAsync("/csc/v2/" + method, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
