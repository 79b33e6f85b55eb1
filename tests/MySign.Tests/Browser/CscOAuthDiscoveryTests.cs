using System.Diagnostics;
using System.Text.Json;

namespace MySign.Tests.Browser;

/// <summary>
/// A generic OAuth 2.0 client nobody here wrote (oauth4webapi from npm, run by node) configures itself from the portal's
/// RFC 8414 metadata, knowing only the issuer from CSC info's oauth2Issuer: no endpoint URL is written by hand. It checks
/// what it is strict about — the issuer, RFC 9207's iss in the authorization response, PKCE, the token response — while
/// the holder signs in and allows in the portal (over HTTP, as a browser posts the forms).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CscOAuthDiscoveryTests(BrowserFixture browser)
{
    private const string Script = """
        const [library, issuerUrl, clientId, redirectUri, step, ...rest] = process.argv.slice(2);
        const oauth = await import(library);
        const insecure = { [oauth.allowInsecureRequests]: true };
        const issuer = new URL(issuerUrl);
        const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
        const client = { client_id: clientId };
        if (step === 'authorize') {
          const verifier = oauth.generateRandomCodeVerifier();
          const state = oauth.generateRandomState();
          const url = new URL(as.authorization_endpoint);
          for (const [k, v] of Object.entries({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'service', state,
              code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })) url.searchParams.set(k, v);
          console.log(JSON.stringify({ url: url.href, verifier, state, metadata: as }));
        } else {
          const [callback, verifier, state] = rest;
          const params = oauth.validateAuthResponse(as, client, new URL(callback), state);
          const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, insecure);
          const result = await oauth.processAuthorizationCodeResponse(as, client, response);
          const unknown = await fetch(as.token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', client_id: 'nobody', code_verifier: verifier, redirect_uri: redirectUri }) });
          console.log(JSON.stringify({ token: result, unknownClient: { status: unknown.status, challenge: unknown.headers.get('www-authenticate'), body: await unknown.json() } }));
        }
        """;

    private static async Task<JsonElement> NodeAsync(params string[] arguments)
    {
        var library = Environment.GetEnvironmentVariable("MYSIGN_OAUTH4WEBAPI") is { Length: > 0 } path ? path
            : Path.Combine(AppProcess.RepositoryRoot(), ".local", "oauth4webapi", "index.js");
        File.Exists(library).ShouldBeTrue($"oauth4webapi is fetched by scripts/services.sh up ({library})");
        var folder = Directory.CreateTempSubdirectory("mysign-oauth4webapi-").FullName;
        try
        {
            var script = Path.Combine(folder, "client.mjs");
            await File.WriteAllTextAsync(script, Script);
            var start = new ProcessStartInfo("node", [script, new Uri(library).AbsoluteUri, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var node = Process.Start(start)!;
            var output = node.StandardOutput.ReadToEndAsync();
            var error = node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync();
            node.ExitCode.ShouldBe(0, await error + await output);
            return JsonDocument.Parse(await output).RootElement.Clone();
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public async Task oauth4webapi_discovers_the_endpoints_and_gets_a_token_checking_iss_with_no_endpoint_written_by_hand()
    {
        var holder = await browser.ActivatedHolderAsync("Irene", "F");
        var clientId = "generic." + Guid.NewGuid().ToString("N")[..8];
        var redirectUri = $"http://127.0.0.1:9/{clientId}/callback"; // never reached: the test reads the redirect itself
        var (registered, output) = await browser.App.RunAsync("csc-client-add", clientId, "Client generico", redirectUri);
        registered.ShouldBe(0, output);

        using var http = new HttpClient { BaseAddress = browser.App.BaseAddress };
        using var info = await http.PostAsync("/csc/v2/info", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var issuer = JsonDocument.Parse(await info.Content.ReadAsStringAsync()).RootElement.GetProperty("oauth2Issuer").GetString()!;

        var authorize = await NodeAsync(issuer, clientId, redirectUri, "authorize");
        authorize.GetProperty("metadata").GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()).ShouldBe(["S256"]);
        using var portal = new PortalClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, browser.App.BaseAddress);
        await portal.LoginAsync(holder.UserId, holder.Password);
        var consent = await portal.GetAsync(authorize.GetProperty("url").GetString()!);
        consent.Status.ShouldBe(HttpStatusCode.OK, consent.Text);
        var allow = consent.Document.QuerySelectorAll("form").Select(f => f.GetAttribute("action")!).Single(a => a.StartsWith("/csc/v2/oauth2/authorize/") && !a.EndsWith("/deny"));
        var back = await portal.PostAsync(allow, []);
        back.Status.ShouldBe(HttpStatusCode.Redirect, back.Text);
        back.Location!.ShouldStartWith(redirectUri + "?");

        var result = await NodeAsync(issuer, clientId, redirectUri, "token", back.Location!, authorize.GetProperty("verifier").GetString()!,
            authorize.GetProperty("state").GetString()!);
        var token = result.GetProperty("token");
        token.GetProperty("token_type").GetString()!.ToLowerInvariant().ShouldBe("bearer");
        token.GetProperty("scope").GetString().ShouldBe("service");
        var unknown = result.GetProperty("unknownClient");
        unknown.GetProperty("status").GetInt32().ShouldBe(401);
        unknown.GetProperty("body").GetProperty("error").GetString().ShouldBe("invalid_client");
        unknown.GetProperty("challenge").GetString()!.ShouldStartWith("Basic");

        using var listed = new HttpRequestMessage(HttpMethod.Post, "/csc/v2/credentials/list") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        listed.Headers.Authorization = new("Bearer", token.GetProperty("access_token").GetString());
        (await http.SendAsync(listed)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
