using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace MySign.Tests.Browser;

/// <summary>
/// The OAuth 2.0 authorisation code flow with PKCE as a CSC v2 client runs it (the EU wallet's remote-QES libraries do):
/// the client sends the holder's browser to oauth2/authorize, the holder signs in to the portal, reads who asks for what
/// and confirms with PIN + OTP, the browser comes back to the client's exact redirect URI with a code and the state, and
/// the client buys a token that signs exactly the hashes the holder saw. A reused code, a wrong code_verifier and another
/// redirect URI are refused.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CscOAuthBrowserTests(BrowserFixture browser)
{
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    private sealed record Pkce(string Verifier, string Challenge)
    {
        public static Pkce New()
        {
            var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
            return new Pkce(verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        }
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>The client's redirect URI: a listener on a free loopback port that answers every request with a small page, as a wallet's would.</summary>
    private sealed class ClientCallback : IDisposable
    {
        private readonly HttpListener _listener = new();
        public string Uri { get; }

        public ClientCallback(string path)
        {
            var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Uri = $"http://127.0.0.1:{port}/{path}/callback";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    try
                    {
                        var call = await _listener.GetContextAsync();
                        var body = "<!doctype html><title>Wallet</title><p>Back at the wallet</p>"u8.ToArray();
                        call.Response.ContentType = "text/html";
                        await call.Response.OutputStream.WriteAsync(body);
                        call.Response.Close();
                    }
                    catch (Exception) when (!_listener.IsListening) { }
                }
            });
        }

        public void Dispose() => _listener.Close();
    }

    /// <summary>Clicks <paramref name="button"/>, waits until the browser is back at the client's redirect URI, and returns that URL's query.</summary>
    private static async Task<Dictionary<string, string>> ReturnedToClientAsync(IPage page, string redirectUri, Func<Task> button)
    {
        await button();
        await BrowserFixture.ArrivedAtAsync(page, new Uri(redirectUri).AbsolutePath);
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(page.Url).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    private async Task<(int Status, JsonElement Body)> TokenAsync(HttpClient http, string clientId, string code, string redirectUri, string verifier)
    {
        using var response = await http.PostAsync("/csc/v2/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = clientId, ["redirect_uri"] = redirectUri, ["code_verifier"] = verifier,
        }));
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<(int Status, JsonElement Body)> CscAsync(HttpClient http, string token, string method, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/csc/v2/" + method) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task a_client_gets_a_token_that_signs_exactly_the_documents_the_holder_saw_and_confirmed_with_pin_and_otp()
    {
        var holder = await browser.ActivatedHolderAsync("Bianca", "F");
        var clientId = "wallet." + Guid.NewGuid().ToString("N")[..8];
        using var callback = new ClientCallback(clientId);
        var redirectUri = callback.Uri;
        var (registered, output) = await browser.App.RunAsync("csc-client-add", clientId, "Portafoglio di prova", redirectUri);
        registered.ShouldBe(0, output);
        using var http = new HttpClient { BaseAddress = browser.App.BaseAddress };
        var page = await browser.NewPageAsync();

        // An unregistered redirect URI: the portal says so and sends the browser nowhere.
        await page.GotoAsync($"/csc/v2/oauth2/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString("https://evil.example/cb")}" +
                             $"&scope=service&code_challenge={Pkce.New().Challenge}&code_challenge_method=S256");
        (await page.Locator("#consent").TextContentAsync())!.ShouldContain("not valid");

        // 1. Scope service: sign in from the authorize URL, allow, come back with the code and the state, buy a token, list the credential.
        var service = Pkce.New();
        await page.GotoAsync($"/csc/v2/oauth2/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(redirectUri)}" +
                             $"&scope=service&code_challenge={service.Challenge}&code_challenge_method=S256&state=s-1");
        await BrowserFixture.ArrivedAtAsync(page, "/login");
        await page.Locator("#user_id").FillAsync(holder.UserId);
        await page.Locator("#password").FillAsync(holder.Password);
        await page.Locator("form[action='/login'] button[type=submit]").ClickAsync();
        await BrowserFixture.ArrivedAtAsync(page, "/csc/v2/oauth2/authorize");
        (await page.Locator("#consent-who").TextContentAsync())!.ShouldContain("Portafoglio di prova");
        var back = await ReturnedToClientAsync(page, redirectUri, () => page.GetByRole(AriaRole.Button, new() { Name = "Authorise", Exact = true }).ClickAsync());
        back["state"].ShouldBe("s-1");
        var (status, serviceToken) = await TokenAsync(http, clientId, back["code"], redirectUri, service.Verifier);
        status.ShouldBe(200, serviceToken.ToString());
        serviceToken.GetProperty("token_type").GetString().ShouldBe("Bearer");
        var (_, list) = await CscAsync(http, serviceToken.GetProperty("access_token").GetString()!, "credentials/list", "{}");
        var credential = list.GetProperty("credentialIDs")[0].GetString()!;

        // 2. Scope credential by authorization_details: two labelled documents.
        var offer = SHA256.HashData("Offerta 2026-204"u8.ToArray());
        var terms = SHA256.HashData("Condizioni generali v7"u8.ToArray());
        var details = JsonSerializer.Serialize(new[]
        {
            new
            {
                type = "credential", credentialID = credential, numSignatures = 2, hashAlgorithmOID = "2.16.840.1.101.3.4.2.1",
                documentDigests = new[] { new { hash = Convert.ToBase64String(offer), label = "Offerta 2026-204.pdf" }, new { hash = Convert.ToBase64String(terms), label = "Condizioni generali.pdf" } },
            },
        });
        var signing = Pkce.New();
        await page.GotoAsync($"/csc/v2/oauth2/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(redirectUri)}" +
                             $"&authorization_details={Uri.EscapeDataString(details)}&code_challenge={signing.Challenge}&code_challenge_method=S256&state=s-2");
        (await page.Locator("#consent-what").TextContentAsync())!.ShouldContain("sign 2 document(s)");
        var shown = await page.Locator(".consent-documents li").AllTextContentsAsync();
        shown.Count.ShouldBe(2);
        shown[0].ShouldContain("Offerta 2026-204.pdf");
        shown[0].ShouldContain(Convert.ToHexString(offer).ToLowerInvariant());
        // On a phone the 64-character hashes wrap: nothing scrolls sideways at 390 px.
        await page.SetViewportSizeAsync(390, 844);
        (await PhoneLayoutTests.Overflows(page, "consent 390px")).ShouldBeEmpty();
        await page.SetViewportSizeAsync(1280, 800);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me the OTP" }).ClickAsync();
        await page.GetByLabel("Signature PIN").FillAsync(holder.Pin);
        await page.GetByLabel("Enter OTP code").FillAsync(await Holders.LastSmsCodeAsync(browser.Store, holder.Applicant.Mobile));
        back = await ReturnedToClientAsync(page, redirectUri, () => page.GetByRole(AriaRole.Button, new() { Name = "Authorise", Exact = true }).ClickAsync());
        back["state"].ShouldBe("s-2");
        var code = back["code"];

        // The code is bound to the verifier and the redirect URI; wrong ones are refused and do not use it up.
        var (wrongVerifier, wrongVerifierError) = await TokenAsync(http, clientId, code, redirectUri, Pkce.New().Verifier);
        wrongVerifier.ShouldBe(400);
        wrongVerifierError.GetProperty("error").GetString().ShouldBe("invalid_grant");
        var (otherRedirect, otherRedirectError) = await TokenAsync(http, clientId, code, "http://127.0.0.1:9/other/callback", signing.Verifier);
        otherRedirect.ShouldBe(400);
        otherRedirectError.GetProperty("error").GetString().ShouldBe("invalid_grant");
        (status, var credentialToken) = await TokenAsync(http, clientId, code, redirectUri, signing.Verifier);
        status.ShouldBe(200, credentialToken.ToString());
        credentialToken.GetProperty("credentialID").GetString().ShouldBe(credential);
        var token = credentialToken.GetProperty("access_token").GetString()!;

        // The token signs what the holder saw, and nothing else.
        var (foreign, foreignError) = await CscAsync(http, token, "signatures/signHash",
            $$"""{"credentialID": "{{credential}}", "hashes": ["{{Convert.ToBase64String(SHA256.HashData("Altro"u8.ToArray()))}}"], "signAlgo": "{{EcdsaWithSha256}}"}""");
        foreign.ShouldBe(400);
        foreignError.GetProperty("error_description").GetString().ShouldBe("A hash was not authorized");
        // A credential token is not a service token: RFC 6750's insufficient_scope (403), not "log in again" (401).
        var (serviceMethod, serviceMethodError) = await CscAsync(http, token, "credentials/authorize", $$"""{"credentialID": "{{credential}}", "numSignatures": 1}""");
        serviceMethod.ShouldBe(403, serviceMethodError.ToString());
        serviceMethodError.GetProperty("error").GetString().ShouldBe("insufficient_scope");
        var (signed, signatures) = await CscAsync(http, token, "signatures/signHash",
            $$"""{"credentialID": "{{credential}}", "hashes": ["{{Convert.ToBase64String(offer)}}", "{{Convert.ToBase64String(terms)}}"], "signAlgo": "{{EcdsaWithSha256}}"}""");
        signed.ShouldBe(200, signatures.ToString());
        var (_, info) = await CscAsync(http, serviceToken.GetProperty("access_token").GetString()!, "credentials/info", $$"""{"credentialID": "{{credential}}"}""");
        using var certificate = X509CertificateLoader.LoadCertificate(
            Convert.FromBase64String(info.GetProperty("cert").GetProperty("certificates")[0].GetString()!));
        using var key = certificate.GetECDsaPublicKey()!;
        key.VerifyHash(offer, Convert.FromBase64String(signatures.GetProperty("signatures")[0].GetString()!), DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();
        key.VerifyHash(terms, Convert.FromBase64String(signatures.GetProperty("signatures")[1].GetString()!), DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();

        // A second use of the code is refused, and ends the token the first use got.
        var (reused, reusedError) = await TokenAsync(http, clientId, code, redirectUri, signing.Verifier);
        reused.ShouldBe(400);
        reusedError.GetProperty("error").GetString().ShouldBe("invalid_grant");
        (await CscAsync(http, token, "credentials/list", "{}")).Status.ShouldBe(401);

        // Deny: the client hears access_denied, with its state.
        var denied = Pkce.New();
        await page.GotoAsync($"/csc/v2/oauth2/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(redirectUri)}" +
                             $"&scope=service&code_challenge={denied.Challenge}&code_challenge_method=S256&state=s-3");
        back = await ReturnedToClientAsync(page, redirectUri, () => page.GetByRole(AriaRole.Button, new() { Name = "Do not authorise" }).ClickAsync());
        back["error"].ShouldBe("access_denied");
        back["state"].ShouldBe("s-3");
    }
}
