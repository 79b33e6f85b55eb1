using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Tests.RemoteSigning;

/// <summary>
/// A CSC API v2.0.0.2 client written from the specification's JSON (request bodies as literal JSON text, answers read by
/// the names the specification gives them), not from MySign's own types: it signs in, lists and reads the credential,
/// authorizes with authData and signs with signAlgo; openssl judges the signatures. Then the attacks the spec's errors name.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CscV2ClientTests(AppFixture app)
{
    private const string Pin = "13572468";
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";

    private sealed record Client(HttpClient Http, TestHolder Holder);

    private async Task<Client> LoggedInAsync()
    {
        var holder = await Holders.CreateAsync(app.Store, "Marta", "Conti");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Marta", "Conti", "CNTMRT85C41F205Z", Pin, false));
        var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost/csc/v2/") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.8.8." + Random.Shared.Next(1, 250));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        var (status, login) = await Call(http, "auth/login", """{"rememberMe": false}""");
        status.ShouldBe(200);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("access_token").GetString());
        return new Client(http, holder);
    }

    private static async Task<(int Status, JsonElement Body)> Call(HttpClient http, string method, string json)
    {
        using var response = await http.PostAsync(method, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);
    private static byte[] Sha256(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    private async Task<string> SadFor(Client client, string credential, params string[] hashes)
    {
        (await Call(client.Http, "credentials/sendOTP", $$"""{"credentialID": "{{credential}}"}""")).Status.ShouldBe(204);
        var otp = await Holders.LastSmsCodeAsync(app.Store, client.Holder.Phone);
        var (status, body) = await Call(client.Http, "credentials/authorize", $$"""
            {"credentialID": "{{credential}}", "numSignatures": {{hashes.Length}}, "hashes": [{{string.Join(", ", hashes.Select(h => $"\"{h}\""))}}],
             "hashAlgorithmOID": "{{Sha256Oid}}", "authData": [{"id": "PIN", "value": "{{Pin}}"}, {"id": "OTP", "value": "{{otp}}"}],
             "description": "Two contracts", "clientData": "ticket-42"}
            """);
        status.ShouldBe(200, body.ToString());
        body.GetProperty("expiresIn").GetInt32().ShouldBe(300);
        return body.GetProperty("SAD").GetString()!;
    }

    [Fact]
    public async Task a_v2_client_lists_reads_authorizes_with_auth_data_and_signs_with_sign_algo_and_openssl_verifies()
    {
        var client = await LoggedInAsync();
        var (_, info) = await Call(client.Http, "info", "{}");
        info.GetProperty("specs").GetString().ShouldBe("2.0.0.2");
        info.GetProperty("authType").EnumerateArray().Select(a => a.GetString()).ShouldBe(["basic", "oauth2code"]);
        info.GetProperty("oauth2").GetString().ShouldEndWith("/csc/v2");
        info.GetProperty("methods").EnumerateArray().Select(m => m.GetString()).ShouldContain("credentials/extendTransaction");
        info.GetProperty("signAlgorithms").GetProperty("algos")[0].GetString().ShouldBe(EcdsaWithSha256);

        var (listed, list) = await Call(client.Http, "credentials/list", """{"credentialInfo": true, "certificates": "chain", "certInfo": true, "authInfo": true, "onlyValid": true}""");
        listed.ShouldBe(200);
        var credential = list.GetProperty("credentialIDs")[0].GetString()!;
        var listedInfo = list.GetProperty("credentialInfos")[0];
        listedInfo.GetProperty("credentialID").GetString().ShouldBe(credential);
        listedInfo.GetProperty("cert").GetProperty("certificates").GetArrayLength().ShouldBe(3);
        list.GetProperty("onlyValid").GetBoolean().ShouldBeTrue();

        var (_, details) = await Call(client.Http, "credentials/info", $$"""{"credentialID": "{{credential}}", "certificates": "single", "certInfo": true, "authInfo": true}""");
        details.GetProperty("key").GetProperty("status").GetString().ShouldBe("enabled");
        details.GetProperty("key").GetProperty("algo").EnumerateArray().Select(a => a.GetString()).ShouldContain(EcdsaWithSha256);
        var cert = details.GetProperty("cert");
        cert.GetProperty("status").GetString().ShouldBe("valid");
        cert.GetProperty("certificates").GetArrayLength().ShouldBe(1);
        cert.GetProperty("subjectDN").GetString()!.ShouldContain("Marta");
        cert.GetProperty("validTo").GetString()!.ShouldMatch("^[0-9]{14}Z$");
        var auth = details.GetProperty("auth");
        auth.GetProperty("mode").GetString().ShouldBe("explicit");
        auth.GetProperty("expression").GetString().ShouldBe("PIN AND OTP");
        auth.GetProperty("objects").EnumerateArray().Select(o => (o.GetProperty("type").GetString(), o.GetProperty("id").GetString())).ShouldBe([("Password", "PIN"), ("Password", "OTP")]);
        details.GetProperty("SCAL").GetString().ShouldBe("2");
        details.GetProperty("multisign").GetInt32().ShouldBeGreaterThan(1);

        var contract = Sha256("contratto di fornitura");
        var annex = Sha256("allegato tecnico");
        var sad = await SadFor(client, credential, B64(contract), B64(annex));
        JsonElement signed = default;
        var status = 0;
        await app.Host.ExecuteAndWaitAsync(async () => (status, signed) = await Call(client.Http, "signatures/signHash", $$"""
            {"credentialID": "{{credential}}", "SAD": "{{sad}}", "hashes": ["{{B64(contract)}}", "{{B64(annex)}}"],
             "hashAlgorithmOID": "{{Sha256Oid}}", "signAlgo": "{{EcdsaWithSha256}}", "operationMode": "S"}
            """), 30_000);
        status.ShouldBe(200, signed.ToString());

        using var openssl = new OpenSsl();
        openssl.Write("signer.der", Convert.FromBase64String(cert.GetProperty("certificates")[0].GetString()!));
        (await openssl.RunAsync("x509", "-inform", "DER", "-in", "signer.der", "-pubkey", "-noout", "-out", "signer.pub")).Exit.ShouldBe(0);
        var signatures = signed.GetProperty("signatures").EnumerateArray().Select(s => Convert.FromBase64String(s.GetString()!)).ToArray();
        signatures.Length.ShouldBe(2);
        foreach (var (hash, signature, name) in new[] { (contract, signatures[0], "contract"), (annex, signatures[1], "annex") })
        {
            openssl.Write(name + ".sha256", hash);
            openssl.Write(name + ".sig", signature);
            (await openssl.RunAsync("pkeyutl", "-verify", "-pubin", "-inkey", "signer.pub", "-in", name + ".sha256", "-sigfile", name + ".sig")).Output
                .ShouldContain("Signature Verified Successfully");
        }
        openssl.Write("swapped.sig", signatures[1]);
        (await openssl.RunAsync("pkeyutl", "-verify", "-pubin", "-inkey", "signer.pub", "-in", "contract.sha256", "-sigfile", "swapped.sig")).Exit.ShouldNotBe(0);

        // The SAD is spent: reusing it is refused.
        var (reused, refusal) = await Call(client.Http, "signatures/signHash", $$"""
            {"credentialID": "{{credential}}", "SAD": "{{sad}}", "hashes": ["{{B64(contract)}}"], "signAlgo": "{{EcdsaWithSha256}}"}
            """);
        reused.ShouldBe(400);
        refusal.GetProperty("error").GetString().ShouldBe("invalid_request");
    }

    [Fact]
    public async Task a_foreign_hash_a_missing_sign_algo_another_holders_sad_and_a_revoked_token_are_each_refused()
    {
        var client = await LoggedInAsync();
        var (_, list) = await Call(client.Http, "credentials/list", "{}");
        var credential = list.GetProperty("credentialIDs")[0].GetString()!;
        var mine = B64(Sha256("offerta 12"));

        // SCAL2: no SAD without the hashes it will sign.
        (await Call(client.Http, "credentials/sendOTP", $$"""{"credentialID": "{{credential}}"}""")).Status.ShouldBe(204);
        var (unbound, unboundError) = await Call(client.Http, "credentials/authorize", $$"""
            {"credentialID": "{{credential}}", "numSignatures": 1, "authData": [{"id": "PIN", "value": "{{Pin}}"}, {"id": "OTP", "value": "12345678"}]}
            """);
        unbound.ShouldBe(400);
        unboundError.GetProperty("error_description").GetString()!.ShouldContain("SCAL2");
        await Holders.OtpResendGapPassedAsync(app.Store, client.Holder.Id);
        var sad = await SadFor(client, credential, mine);

        var (noAlgo, noAlgoError) = await Call(client.Http, "signatures/signHash", $$"""{"credentialID": "{{credential}}", "SAD": "{{sad}}", "hashes": ["{{mine}}"]}""");
        noAlgo.ShouldBe(400);
        noAlgoError.GetProperty("error").GetString().ShouldBe("invalid_request");
        noAlgoError.GetProperty("error_description").GetString()!.ShouldContain("signAlgo");
        var (rsa, _) = await Call(client.Http, "signatures/signHash", $$"""{"credentialID": "{{credential}}", "SAD": "{{sad}}", "hashes": ["{{mine}}"], "signAlgo": "1.2.840.113549.1.1.11"}""");
        rsa.ShouldBe(400);

        var (foreign, foreignError) = await Call(client.Http, "signatures/signHash", $$"""
            {"credentialID": "{{credential}}", "SAD": "{{sad}}", "hashes": ["{{B64(Sha256("something else"))}}"], "signAlgo": "{{EcdsaWithSha256}}"}
            """);
        foreign.ShouldBe(400);
        foreignError.GetProperty("error_description").GetString().ShouldBe("A hash was not authorized");

        // Another holder, with its own token and credential, presents this holder's SAD: invalid, and it stays usable by its holder.
        var other = await LoggedInAsync();
        var (_, otherList) = await Call(other.Http, "credentials/list", "{}");
        var otherCredential = otherList.GetProperty("credentialIDs")[0].GetString()!;
        var (stolen, stolenError) = await Call(other.Http, "signatures/signHash", $$"""
            {"credentialID": "{{otherCredential}}", "SAD": "{{sad}}", "hashes": ["{{mine}}"], "signAlgo": "{{EcdsaWithSha256}}"}
            """);
        stolen.ShouldBe(400);
        stolenError.GetProperty("error_description").GetString().ShouldBe("Invalid SAD");
        (await Call(other.Http, "credentials/info", $$"""{"credentialID": "{{credential}}"}""")).Status.ShouldBe(400);

        // extendTransaction: a new SAD for what is left; the old one stops working.
        var (extended, renewed) = await Call(client.Http, "credentials/extendTransaction", $$"""{"credentialID": "{{credential}}", "SAD": "{{sad}}", "hashes": ["{{mine}}"]}""");
        extended.ShouldBe(200, renewed.ToString());
        var newSad = renewed.GetProperty("SAD").GetString()!;
        newSad.ShouldNotBe(sad);
        (await Call(client.Http, "signatures/signHash", $$"""{"credentialID": "{{credential}}", "SAD": "{{sad}}", "hashes": ["{{mine}}"], "signAlgo": "{{EcdsaWithSha256}}"}"""))
            .Body.GetProperty("error_description").GetString().ShouldBe("Invalid SAD");

        // auth/revoke ends the token: every call with it is then invalid_token.
        var token = client.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        (await Call(client.Http, "auth/revoke", $$"""{"token": "{{token}}", "token_type_hint": "access_token"}""")).Status.ShouldBe(204);
        var (revoked, revokedError) = await Call(client.Http, "signatures/signHash", $$"""
            {"credentialID": "{{credential}}", "SAD": "{{newSad}}", "hashes": ["{{mine}}"], "signAlgo": "{{EcdsaWithSha256}}"}
            """);
        revoked.ShouldBe(401);
        revokedError.GetProperty("error").GetString().ShouldBe("invalid_token");
        (await Call(client.Http, "credentials/list", "{}")).Status.ShouldBe(401);
    }
    public static TheoryData<string, string, Dictionary<string, string>> NotActive => new()
    {
        { "suspended", "suspend", new() { ["reason"] = "lostDevice", ["until"] = DateTime.UtcNow.AddDays(10).ToString("dd/MM/yyyy") } },
        { "revoked", "revoke", new() { ["reason"] = "keyCompromise", ["understood"] = "yes" } },
    };

    [Theory]
    [MemberData(nameof(NotActive))]
    public async Task a_credential_that_is_not_active_gets_no_otp_by_sms_and_no_authorisation(string state, string action, Dictionary<string, string> form)
    {
        var client = await LoggedInAsync();
        var (_, list) = await Call(client.Http, "credentials/list", "{}");
        var credential = list.GetProperty("credentialIDs")[0].GetString()!;
        using (var portal = app.Client())
        {
            await portal.LoginAsync(client.Holder.Id, client.Holder.Password);
            await app.ChangeStatusAsync(portal, client.Holder, action, new(form) { ["pin"] = Pin });
        }
        // the portal's code was a moment ago: let the resend spacing pass, so only the state can refuse
        await Holders.OtpResendGapPassedAsync(app.Store, client.Holder.Id);
        var smsBefore = (await Holders.SmsToAsync(app.Store, client.Holder.Phone)).Count;

        var (sent, refusal) = await Call(client.Http, "credentials/sendOTP", $$"""{"credentialID": "{{credential}}"}""");
        sent.ShouldBe(400, refusal.ToString());
        refusal.GetProperty("error").GetString().ShouldBe("invalid_request");
        refusal.GetProperty("error_description").GetString()!.ShouldContain(state);
        (await Holders.SmsToAsync(app.Store, client.Holder.Phone)).Count.ShouldBe(smsBefore, "no SMS for a credential that cannot sign");

        var (authorized, denied) = await Call(client.Http, "credentials/authorize", $$"""
            {"credentialID": "{{credential}}", "numSignatures": 1, "hashes": ["{{B64(Sha256("x"))}}"], "authData": [{"id": "PIN", "value": "{{Pin}}"}, {"id": "OTP", "value": "12345678"}]}
            """);
        authorized.ShouldBe(400);
        denied.GetProperty("error_description").GetString()!.ShouldContain(state);
        var (_, info) = await Call(client.Http, "credentials/info", $$"""{"credentialID": "{{credential}}"}""");
        info.GetProperty("cert").GetProperty("status").GetString().ShouldBe(state);
        info.GetProperty("key").GetProperty("status").GetString().ShouldBe("disabled");
    }
}
