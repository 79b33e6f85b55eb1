using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.RemoteSigning.Csc;
using Wolverine;

namespace MySign.Tests.RemoteSigning;

/// <summary>The OAuth doors over HTTP: what a malformed or hostile authorisation request gets, scope credential by parameters, revocation.</summary>
[Collection(AppCollection.Name)]
public sealed class CscOAuthTests(AppFixture app)
{
    private const string Redirect = "https://wallet.example/cb";

    private async Task<string> ClientAsync()
    {
        var id = "test." + Guid.NewGuid().ToString("N")[..10];
        await using var session = app.Store.LightweightSession();
        session.Store(new OAuthClient { Id = id, Name = "Wallet di prova", RedirectUris = [Redirect], CreatedAt = DateTimeOffset.UtcNow });
        await session.SaveChangesAsync();
        return id;
    }

    private async Task<(PortalClient Portal, TestHolder Holder, Guid Credential)> HolderAsync()
    {
        var holder = await Holders.CreateAsync(app.Store, "Nadia", "Greco");
        CertificateIssued issued;
        using (var scope = app.Host.Services.CreateScope())
            issued = await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Nadia", "Greco", "GRCNDA90A41H501K", "97531864"));
        var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        return (portal, holder, issued.CertificateId);
    }

    /// <summary>The holder allows a service-scope request of <paramref name="client"/>: the redirect back with the code, and the PKCE verifier.</summary>
    private static async Task<(PortalClient.Page Back, string Verifier)> ServiceCodeAsync(PortalClient portal, string client)
    {
        var verifier = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var page = await portal.GetAsync(Url(client, $"scope=service&code_challenge={Challenge(verifier)}&code_challenge_method=S256"));
        var allow = page.Document.QuerySelector("form[action^='/csc/v2/oauth2/authorize/']:not([action$='/deny'])")!.GetAttribute("action")!;
        return (await portal.PostAsync(allow, new()), verifier);
    }

    private static string Challenge(string verifier) => System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string Url(string client, string rest, string? redirect = Redirect) =>
        $"/csc/v2/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={Uri.EscapeDataString(redirect ?? "")}&state=xyz&{rest}";

    private static Dictionary<string, string> Query(string location) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(location).Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    [Fact]
    public async Task unknown_clients_and_unregistered_redirects_get_a_page_and_bad_parameters_go_back_to_the_client_as_errors()
    {
        var client = await ClientAsync();
        var (portal, holder, credential) = await HolderAsync();
        var pkce = $"code_challenge={Challenge(new string('v', 43))}&code_challenge_method=S256";

        var unknown = await portal.GetAsync(Url("nobody", "scope=service&" + pkce));
        unknown.Status.ShouldBe(HttpStatusCode.BadRequest);
        unknown.Text.ShouldContain("not valid");
        var elsewhere = await portal.GetAsync(Url(client, "scope=service&" + pkce, "https://evil.example/cb"));
        elsewhere.Status.ShouldBe(HttpStatusCode.BadRequest);
        elsewhere.Location.ShouldBeNull("nothing is sent to an address the client did not register");

        foreach (var (rest, error) in new[]
                 {
                     ("scope=service", "invalid_request"), // no PKCE
                     ($"scope=service&code_challenge={Challenge("x")}&code_challenge_method=plain", "invalid_request"),
                     ("scope=everything&" + pkce, "invalid_scope"),
                     ($"scope=credential&credentialID={credential}&numSignatures=1&" + pkce, "invalid_request"), // SCAL2 without hashes
                     ($"scope=credential&credentialID={Guid.NewGuid()}&numSignatures=1&hashes={System.Buffers.Text.Base64Url.EncodeToString(new byte[32])}&" + pkce, "invalid_request"),
                 })
        {
            var answer = await portal.GetAsync(Url(client, rest));
            answer.Status.ShouldBe(HttpStatusCode.Redirect, rest);
            answer.Location!.ShouldStartWith(Redirect + "?");
            Query(answer.Location)["error"].ShouldBe(error, rest);
            Query(answer.Location)["state"].ShouldBe("xyz");
        }
        var noType = await portal.GetAsync(Url(client, "scope=service&" + pkce).Replace("response_type=code", "response_type=token"));
        Query(noType.Location!)["error"].ShouldBe("unsupported_response_type");
    }

    [Fact]
    public async Task scope_credential_by_parameters_shows_the_hashes_and_no_one_else_can_use_the_request()
    {
        var client = await ClientAsync();
        var (portal, _, credential) = await HolderAsync();
        var first = SHA256.HashData("primo"u8.ToArray());
        var second = SHA256.HashData("secondo"u8.ToArray());
        var hashes = string.Join(",", new[] { first, second }.Select(h => System.Buffers.Text.Base64Url.EncodeToString(h)));
        var page = await portal.GetAsync(Url(client, $"scope=credential&credentialID={credential}&numSignatures=2&hashes={hashes}" +
                                                     $"&hashAlgorithmOID=2.16.840.1.101.3.4.2.1&code_challenge={Challenge(new string('w', 43))}&code_challenge_method=S256"));
        page.Status.ShouldBe(HttpStatusCode.OK);
        page.Document.QuerySelector("#consent-who")!.TextContent.ShouldContain("Wallet di prova");
        page.Document.QuerySelector("#consent-what")!.TextContent.ShouldContain("2 document(s)");
        page.Document.QuerySelectorAll(".consent-documents code").Select(c => c.TextContent)
            .ShouldBe([Convert.ToHexString(first).ToLowerInvariant(), Convert.ToHexString(second).ToLowerInvariant()]);
        page.Response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("form-action 'self' https://wallet.example");
        var action = page.Document.QuerySelector("form[action$='/otp']")!.GetAttribute("action")!;

        // Another holder cannot see or drive this request: its id reads as unknown.
        var (intruder, _, _) = await HolderAsync();
        await intruder.GetAsync("/");
        (await intruder.PostAsync(action, new())).Status.ShouldBe(HttpStatusCode.NotFound);
        (await intruder.PostAsync(action.Replace("/otp", ""), new() { ["pin"] = "97531864", ["code"] = "00000000" })).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    [Trait("Shake", "concurrency")]
    public async Task a_code_redeemed_eight_times_at_once_gives_one_token_and_every_other_call_hears_invalid_grant()
    {
        var client = await ClientAsync();
        var (portal, _, _) = await HolderAsync();
        var (back, verifier) = await ServiceCodeAsync(portal, client);
        var code = Query(back.Location!)["code"];

        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var answer = await http.PostAsync("/csc/v2/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
                { ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = client, ["redirect_uri"] = Redirect, ["code_verifier"] = verifier }));
            return (answer.StatusCode, Body: JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone());
        }));
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).ShouldBe(1, "one code, one token");
        // Lost the race to the save, or came after it: RFC 6749's answer either way, never a 409 or a 500.
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.OK))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            refused.Body.GetProperty("error").GetString().ShouldBe("invalid_grant");
        }
    }

    [Fact]
    public async Task a_service_token_from_the_code_flow_lists_credentials_until_the_client_revokes_it()
    {
        var client = await ClientAsync();
        var (portal, _, credential) = await HolderAsync();
        var (back, verifier) = await ServiceCodeAsync(portal, client);
        back.Status.ShouldBe(HttpStatusCode.Redirect);
        var code = Query(back.Location!)["code"];

        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        using var tokenAnswer = await http.PostAsync("/csc/v2/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = client, ["redirect_uri"] = Redirect, ["code_verifier"] = verifier }));
        tokenAnswer.StatusCode.ShouldBe(HttpStatusCode.OK);
        tokenAnswer.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var token = JsonDocument.Parse(await tokenAnswer.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;

        async Task<HttpStatusCode> List()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/csc/v2/credentials/list") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK)
                JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("credentialIDs")[0].GetString().ShouldBe(credential.ToString());
            return response.StatusCode;
        }
        (await List()).ShouldBe(HttpStatusCode.OK);
        // Another client cannot revoke it; its own client can.
        (await http.PostAsync("/csc/v2/oauth2/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["client_id"] = "someone.else" }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await List()).ShouldBe(HttpStatusCode.OK);
        (await http.PostAsync("/csc/v2/oauth2/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["client_id"] = client }))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await List()).ShouldBe(HttpStatusCode.Unauthorized);
    }
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task a_credential_token_its_client_revokes_takes_its_sad_with_it_even_into_another_call()
    {
        var client = await ClientAsync();
        var (portal, holder, credential) = await HolderAsync();
        var hash = SHA256.HashData("contratto revocato"u8.ToArray());
        var verifier = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var page = await portal.GetAsync(Url(client, $"scope=credential&credentialID={credential}&numSignatures=1&hashes={System.Buffers.Text.Base64Url.EncodeToString(hash)}" +
                                                     $"&code_challenge={Challenge(verifier)}&code_challenge_method=S256"));
        var send = page.Document.QuerySelector("form[action$='/otp']")!.GetAttribute("action")!;
        (await portal.PostAsync(send, new())).Status.ShouldBe(HttpStatusCode.OK);
        var back = await portal.PostAsync(send[..^"/otp".Length], new() { ["pin"] = "97531864", ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        back.Status.ShouldBe(HttpStatusCode.Redirect, back.Text);

        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        using var tokenAnswer = await http.PostAsync("/csc/v2/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["grant_type"] = "authorization_code", ["code"] = Query(back.Location!)["code"], ["client_id"] = client, ["redirect_uri"] = Redirect, ["code_verifier"] = verifier }));
        var sad = JsonDocument.Parse(await tokenAnswer.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;

        // The same holder's service token, with the credential token's text as the SAD in the body: refused once the client revoked it.
        using var service = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        using (var login = await service.PostAsync("/csc/v2/auth/login", Json("{}")))
            service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());
        (await http.PostAsync("/csc/v2/oauth2/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = sad, ["client_id"] = client })))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        using var signed = await service.PostAsync("/csc/v2/signatures/signHash", Json(JsonSerializer.Serialize(new
            { credentialID = credential, SAD = sad, hashes = new[] { Convert.ToBase64String(hash) }, signAlgo = "1.2.840.10045.4.3.2" })));
        var refusal = await signed.Content.ReadAsStringAsync();
        signed.StatusCode.ShouldBe(HttpStatusCode.BadRequest, refusal);
        refusal.ShouldContain("Invalid SAD");
    }

    [Fact]
    public async Task the_oauth_edges_generic_clients_trip_on_metadata_iss_authorization_details_challenges_and_no_cache()
    {
        var client = await ClientAsync();
        var (portal, holder, credential) = await HolderAsync();
        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };

        // RFC 8414 metadata, and info names the same issuer.
        var metadata = JsonDocument.Parse(await http.GetStringAsync("/.well-known/oauth-authorization-server")).RootElement;
        var issuer = metadata.GetProperty("issuer").GetString()!;
        metadata.GetProperty("authorization_endpoint").GetString().ShouldBe(issuer + "/csc/v2/oauth2/authorize");
        metadata.GetProperty("token_endpoint").GetString().ShouldBe(issuer + "/csc/v2/oauth2/token");
        metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean().ShouldBeTrue();
        using (var info = await http.PostAsync("/csc/v2/info", Json("{}")))
            JsonDocument.Parse(await info.Content.ReadAsStringAsync()).RootElement.GetProperty("oauth2Issuer").GetString().ShouldBe(issuer);

        // authorization_details: the consent with PIN + OTP, back with iss (RFC 9207), the token echoes the details (RFC 9396 §7).
        var hash = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData("Delibera 12"u8.ToArray()));
        var details = $$"""[{"type":"credential","credentialID":"{{credential}}","numSignatures":1,"documentDigests":[{"hash":"{{hash}}","label":"Delibera 12"}]}]""";
        var verifier = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var page = await portal.GetAsync(Url(client, $"authorization_details={Uri.EscapeDataString(details)}&code_challenge={Challenge(verifier)}&code_challenge_method=S256"));
        page.Status.ShouldBe(HttpStatusCode.OK, page.Text);
        var sendOtp = page.Document.QuerySelector("form[action$='/otp']")!.GetAttribute("action")!;
        var confirm = await portal.PostAsync(sendOtp, new());
        var tooSoon = await portal.PostAsync(sendOtp, new());
        tooSoon.Status.ShouldBe(HttpStatusCode.TooManyRequests, "a second code at once is refused");
        int.Parse(tooSoon.Response.Headers.RetryAfter!.ToString()).ShouldBeGreaterThan(0, "every 429 says when to retry");
        var allow = confirm.Document.QuerySelector("form[action^='/csc/v2/oauth2/authorize/']:not([action$='/deny']):not([action$='/otp'])")!.GetAttribute("action")!;
        var back = await portal.PostAsync(allow, new() { ["pin"] = "97531864", ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        back.Status.ShouldBe(HttpStatusCode.Redirect, back.Text);
        Query(back.Location!).GetValueOrDefault("iss").ShouldBe(issuer, back.Location);
        var denied = await portal.GetAsync(Url(client, "scope=everything&code_challenge=" + Challenge(verifier) + "&code_challenge_method=S256"));
        Query(denied.Location!)["iss"].ShouldBe(issuer, "errors carry iss too");

        async Task<HttpResponseMessage> Token(Dictionary<string, string> form) => await http.PostAsync("/csc/v2/oauth2/token", new FormUrlEncodedContent(form));
        using var granted = await Token(new() { ["grant_type"] = "authorization_code", ["code"] = Query(back.Location!)["code"], ["client_id"] = client, ["redirect_uri"] = Redirect, ["code_verifier"] = verifier });
        granted.StatusCode.ShouldBe(HttpStatusCode.OK);
        granted.Headers.CacheControl!.NoStore.ShouldBeTrue();
        granted.Headers.Pragma.ToString().ShouldBe("no-cache");
        var echoed = JsonDocument.Parse(await granted.Content.ReadAsStringAsync()).RootElement.GetProperty("authorization_details");
        echoed[0].GetProperty("type").GetString().ShouldBe("credential");
        echoed[0].GetProperty("documentDigests")[0].GetProperty("label").GetString().ShouldBe("Delibera 12");

        using var noGrantType = await Token(new() { ["code"] = "x", ["client_id"] = client, ["code_verifier"] = verifier });
        noGrantType.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await noGrantType.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString().ShouldBe("invalid_request");
        using var unknownClient = await Token(new() { ["grant_type"] = "authorization_code", ["code"] = "x", ["client_id"] = "nobody", ["code_verifier"] = verifier });
        unknownClient.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        JsonDocument.Parse(await unknownClient.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString().ShouldBe("invalid_client");
        unknownClient.Headers.WwwAuthenticate.ToString().ShouldStartWith("Basic");

        // Every 401 of the CSC API says how to authenticate.
        using (var noToken = await http.PostAsync("/csc/v2/credentials/list", Json("{}")))
        {
            noToken.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            noToken.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        }
        using (var login = new HttpRequestMessage(HttpMethod.Post, "/csc/v2/auth/login"))
        {
            login.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{holder.Id}:wrong-password")));
            login.Headers.Add("X-Forwarded-For", "10.6.6." + Random.Shared.Next(1, 250));
            using var refused = await http.SendAsync(login);
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            refused.Headers.WwwAuthenticate.ToString().ShouldStartWith("Basic");
        }
    }

    [Fact]
    public async Task csc_speaks_the_callers_language_names_the_real_problem_and_says_when_to_retry()
    {
        var (_, holder, credential) = await HolderAsync();
        using var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.6.7." + Random.Shared.Next(1, 250));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> Call(string method, string json)
        {
            var response = await http.PostAsync("/csc/v2/" + method, Json(json));
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
        }
        var (_, login, _) = await Call("auth/login", "{}");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("access_token").GetString());

        var (_, info, _) = await Call("info", """{"lang": "it-IT"}""");
        info.GetProperty("lang").GetString().ShouldBe("it-IT");
        info.GetProperty("description").GetString().ShouldBe("Servizio di firma remota MySign");
        info.GetProperty("signAlgorithms").GetProperty("algoParams").ValueKind.ShouldBe(JsonValueKind.Array);
        var (_, details, _) = await Call("credentials/info", $$"""{"credentialID": "{{credential}}", "lang": "it-IT"}""");
        details.GetProperty("description").GetString().ShouldBe("Certificato qualificato di firma remota");
        details.GetProperty("lang").GetString().ShouldBe("it-IT");
        (await Call("credentials/info", $$"""{"credentialID": "{{credential}}", "lang": "en-US"}""")).Body.GetProperty("description").GetString()
            .ShouldBe("Qualified remote signature certificate");

        foreach (var (json, description) in new[]
                 {
                     ("""{"credentialID": "not-a-uuid"}""", "Invalid parameter credentialID: not a credential identifier"),
                     ("{}", "Missing parameter credentialID"),
                     ($$"""{"credentialID": "{{credential}}", "numSignatures": "two"}""", "Invalid type for parameter numSignatures"),
                     ("""{"credentialID": """, "The body is not valid JSON"),
                 })
        {
            var (status, error, _) = await Call("credentials/authorize", json);
            status.ShouldBe(HttpStatusCode.BadRequest, json);
            error.GetProperty("error_description").GetString().ShouldBe(description, json);
        }

        (await Call("credentials/sendOTP", $$"""{"credentialID": "{{credential}}"}""")).Status.ShouldBe(HttpStatusCode.NoContent);
        var (again, throttled, response) = await Call("credentials/sendOTP", $$"""{"credentialID": "{{credential}}"}""");
        again.ShouldBe(HttpStatusCode.TooManyRequests, throttled.ToString());
        int.Parse(response.Headers.RetryAfter!.ToString()).ShouldBeInRange(1, 60);
        response.Headers.Pragma.ToString().ShouldBe("no-cache");
    }
}
