using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using MySign.Otp.Contracts;
using MySign.Otp.Domain;
using MySign.Otp.Passkeys;
using Wolverine;

namespace MySign.Tests.Otp;

/// <summary>
/// A holder who confirms with a passkey, over HTTP and the Otp module's messages: no SMS is sent, the browser gets
/// what it needs to make an assertion for that one challenge, and whatever arrives in place of an assertion is a wrong
/// code (counted, five at most), never an error. CSC clients are told to use OAuth. The assertions themselves are made
/// by Chromium's authenticator in PasskeyBrowserTests.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PasskeyTests(AppFixture app)
{
    private async Task<(TestHolder Holder, string CredentialId)> PasskeyHolderAsync()
    {
        var holder = await Holders.CreateAsync(app.Store, "Livia", "Sarti");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(
                new IssueCertificate(holder.Id, "Livia", "Sarti", "SRTLVI80A41H501X", "24681357", false));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var credentialId = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));
        await using var session = app.Store.LightweightSession();
        var settings = (await session.LoadAsync<OtpSettings>(holder.Id))!;
        settings.Mode = ReceptionMode.Passkey;
        settings.PasskeyUserHandle = RandomNumberGenerator.GetBytes(32);
        session.Store(settings);
        session.Store(new PasskeyCredential
        {
            Id = credentialId, HolderId = holder.Id, Name = "Phone", PublicKey = key.ExportSubjectPublicKeyInfo(), UserHandle = settings.PasskeyUserHandle,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await session.SaveChangesAsync();
        return (holder, credentialId);
    }

    private async Task<T> InvokeAsync<T>(object message)
    {
        using var scope = app.Host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<T>(message);
    }

    [Fact]
    public async Task a_passkey_challenge_sends_no_sms_and_anything_but_a_valid_assertion_is_a_wrong_code_five_times_at_most()
    {
        var (holder, credentialId) = await PasskeyHolderAsync();
        var issued = await InvokeAsync<OtpIssued>(new IssueOtp(holder.Id, "pin.change", "ctx"));
        issued.Channel.ShouldBe(ReceptionMode.Passkey);
        issued.Passkey.ShouldBe(issued.ChallengeId.ToString());
        (await Holders.SmsToAsync(app.Store, holder.Phone)).ShouldBeEmpty();

        // What the page's script fetches: the RP ID, the holder's passkeys and the challenge text to complete.
        var answer = await app.Host.Server.CreateClient().GetAsync($"/otp/passkey/{issued.ChallengeId}");
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        answer.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var request = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        request.GetProperty("rpId").GetString().ShouldBe("localhost");
        request.GetProperty("allow").EnumerateArray().Select(a => a.GetString()).ShouldBe([credentialId]);
        request.GetProperty("prefix").GetString()!.ShouldContain($"|{issued.ChallengeId:N}|{holder.Id}|pin.change|ctx|");

        // A well-formed assertion from the holder's own credential, but signed by another key (or over another challenge).
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientData = Encoding.UTF8.GetBytes($$"""{"type":"webauthn.get","challenge":"{{Base64Url.Encode(new byte[32])}}","origin":"http://localhost"}""");
        var authenticatorData = SHA256.HashData("localhost"u8).Concat(new byte[] { 0x05, 0, 0, 0, 9 }).ToArray();
        var signature = other.SignData(authenticatorData.Concat(SHA256.HashData(clientData)).ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var forged = JsonSerializer.Serialize(new
        {
            id = credentialId, rawId = credentialId, type = "public-key", clientExtensionResults = new { },
            response = new { authenticatorData = Base64Url.Encode(authenticatorData), clientDataJSON = Base64Url.Encode(clientData), signature = Base64Url.Encode(signature) },
        });
        string[] attempts = ["", "12345678", forged, "{}", "{\"id\": 12}", "{" + new string('x', 20_000)];
        var outcomes = new List<OtpOutcome>();
        foreach (var attempt in attempts)
            outcomes.Add((await InvokeAsync<OtpVerified>(new VerifyOtp(issued.ChallengeId, holder.Id, "pin.change", "ctx", attempt))).Outcome);
        outcomes.ShouldBe([OtpOutcome.Wrong, OtpOutcome.Wrong, OtpOutcome.Wrong, OtpOutcome.Wrong, OtpOutcome.TooManyAttempts, OtpOutcome.TooManyAttempts]);

        // The challenge is spent: the browser gets nothing more for it. Nor for a code challenge, nor for garbage.
        (await app.Host.Server.CreateClient().GetAsync($"/otp/passkey/{issued.ChallengeId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var sms = await Holders.CreateAsync(app.Store);
        var code = await InvokeAsync<OtpIssued>(new IssueOtp(sms.Id, "pin.change", "ctx"));
        (await app.Host.Server.CreateClient().GetAsync($"/otp/passkey/{code.ChallengeId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.Host.Server.CreateClient().GetAsync("/otp/passkey/not-a-challenge'--")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task pages_that_send_nothing_to_a_passkey_holder_do_not_say_they_send_an_otp()
    {
        var (holder, _) = await PasskeyHolderAsync();
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);

        var sign = await portal.GetAsync("/sign");
        sign.Document.QuerySelector("#sign button[type=submit]")!.TextContent.Trim().ShouldBe("Continue");
        sign.Document.QuerySelector("#sign")!.TextContent.ShouldNotContain("we send you an OTP");
        var upload = await portal.PostAsync("/sign/otp", []);
        upload.Document.QuerySelector("[data-passkey]").ShouldNotBeNull();

        var app2 = await portal.PostAsync("/otp/app/start", []);
        app2.Document.QuerySelector("#box-otp ol")!.TextContent.ShouldContain("then confirm with your passkey");
        app2.Document.QuerySelector("#box-otp ol")!.TextContent.ShouldNotContain("OTP sent to");
        var token = await portal.PostAsync("/otp/token/start", []);
        token.Document.QuerySelector("#box-otp")!.TextContent.ShouldContain("then confirm with your passkey");
        await portal.GetAsync("/otp/phone");
        var phone = await portal.PostAsync("/otp/phone", new() { ["phone"] = "+39 333 765 4321" });
        phone.Document.QuerySelector("#box-otp")!.TextContent.ShouldContain("First confirm with your passkey");
        phone.Document.QuerySelector("#box-otp")!.TextContent.ShouldNotContain("OTP sent to your current channel");
    }

    [Fact]
    public async Task an_sms_holder_is_offered_to_send_the_otp()
    {
        var holder = await Holders.CreateAsync(app.Store, "Aldo", "Neri");
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        var sign = await portal.GetAsync("/sign");
        sign.Document.QuerySelector("#sign button[type=submit]")!.TextContent.Trim().ShouldBe("Send the OTP");
        sign.Document.QuerySelector("#sign")!.TextContent.ShouldContain("First we send you an OTP.");
    }

    [Fact]
    public async Task the_wrong_assertion_posted_to_the_pin_change_is_a_message_next_to_the_field_and_the_old_pin_stays()
    {
        var (holder, credentialId) = await PasskeyHolderAsync();
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/pin");
        var otp = await portal.PostAsync("/pin", new() { ["current"] = "24681357", ["new"] = "97531864", ["confirm"] = "97531864" });
        otp.Document.QuerySelector("[data-passkey]").ShouldNotBeNull("the step asks for a passkey, not a code");
        otp.Document.QuerySelector("input[name=code]")!.GetAttribute("type").ShouldBe("hidden");
        var refused = await portal.PostAsync("/pin/confirm", new() { ["code"] = $$$"""{"id":"{{{credentialId}}}","rawId":"{{{credentialId}}}","type":"public-key","response":{}}""" });
        refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        refused.Document.QuerySelector("#pin-error")!.TextContent.ShouldContain("The OTP is not correct");
        refused.Document.QuerySelector("[data-passkey]").ShouldNotBeNull("the next try is with the passkey again");
    }

    [Fact]
    public async Task csc_clients_read_that_a_passkey_holders_credential_is_authorised_through_oauth_and_send_otp_refuses()
    {
        var (holder, _) = await PasskeyHolderAsync();
        var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost/csc/v2/") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.9.9." + Random.Shared.Next(1, 250));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        var token = JsonDocument.Parse(await (await http.PostAsync("auth/login", Json("""{}"""))).Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var list = JsonDocument.Parse(await (await http.PostAsync("credentials/list", Json("""{}"""))).Content.ReadAsStringAsync()).RootElement;
        var credential = list.GetProperty("credentialIDs")[0].GetString();

        var info = JsonDocument.Parse(await (await http.PostAsync("credentials/info", Json($$"""{"credentialID": "{{credential}}"}"""))).Content.ReadAsStringAsync()).RootElement;
        info.GetProperty("auth").GetProperty("mode").GetString().ShouldBe("oauth2code");
        var sent = await http.PostAsync("credentials/sendOTP", Json($$"""{"credentialID": "{{credential}}"}"""));
        ((int)sent.StatusCode).ShouldBe(400);
        var error = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement;
        error.GetProperty("error").GetString().ShouldBe("invalid_request");
        error.GetProperty("error_description").GetString()!.ShouldContain("OAuth");
    }

    [Fact]
    public async Task someone_elses_passkey_cannot_be_removed_and_a_holder_without_passkeys_cannot_make_them_the_mode()
    {
        var (owner, credentialId) = await PasskeyHolderAsync();
        var other = await Holders.CreateAsync(app.Store);
        using var portal = app.Client();
        await portal.LoginAsync(other.Id, other.Password);
        await portal.GetAsync("/");
        (await portal.PostAsync($"/otp/passkeys/{credentialId}/remove/start", new())).Status.ShouldBe(HttpStatusCode.NotFound);
        (await portal.PostAsync($"/otp/passkeys/{credentialId}/remove", new() { ["challenge"] = Guid.NewGuid().ToString(), ["code"] = "{}" }))
            .Status.ShouldBe(HttpStatusCode.NotFound);
        (await portal.PostAsync($"/otp/passkeys/{new string('x', 5000)}/remove/start", new())).Status.ShouldBe(HttpStatusCode.NotFound);

        (await portal.PostAsync("/otp/passkeys/mode/start", new())).Status.ShouldBe(HttpStatusCode.Redirect);
        (await portal.PostAsync("/otp/passkeys/mode", new() { ["challenge"] = Guid.NewGuid().ToString(), ["code"] = "12345678" })).Status.ShouldBe(HttpStatusCode.Redirect);
        await using var session = app.Store.QuerySession();
        (await session.LoadAsync<PasskeyCredential>(credentialId)).ShouldNotBeNull("the owner's passkey is still there");
        (await session.LoadAsync<OtpSettings>(other.Id))!.Mode.ShouldBe(ReceptionMode.Sms);
        (await Holders.SmsToAsync(app.Store, other.Phone)).ShouldBeEmpty("no code was sent for a switch that cannot happen");
    }

    [Fact]
    public async Task a_bad_name_or_no_passkey_from_the_browser_is_said_beside_the_name_which_is_kept_and_the_otp_is_not_spent()
    {
        var holder = await Holders.CreateAsync(app.Store, "Tea", "Moro");
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        await portal.GetAsync("/");
        var step = await portal.PostAsync("/otp/passkeys/add/start", new());
        step.Document.QuerySelector("form[data-passkey-create]").ShouldNotBeNull("the browser gets the creation options");
        var challenge = step.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        var code = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);

        var bidi = await portal.PostAsync("/otp/passkeys/add", new() { ["challenge"] = challenge, ["code"] = code, ["name"] = "Phone\u202E", ["attestation"] = "{}" });
        bidi.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        bidi.Document.QuerySelector("#otp-error")!.TextContent.ShouldContain("invisible or control characters");
        var junk = await portal.PostAsync("/otp/passkeys/add", new() { ["challenge"] = challenge, ["code"] = code, ["name"] = "Office key", ["attestation"] = "{\"id\":" + new string('[', 3000) });
        junk.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        junk.Document.QuerySelector("#otp-error")!.TextContent.ShouldContain("The browser did not create a passkey");
        junk.Document.QuerySelector("#passkey-name")!.GetAttribute("value").ShouldBe("Office key");
        junk.Document.QuerySelector("#passkey-name")!.GetAttribute("aria-invalid").ShouldBe("true");

        // The OTP was never checked, so it still confirms (here the mode switch can't use it: it was issued for adding).
        var verified = await InvokeAsync<OtpVerified>(new VerifyOtp(Guid.Parse(challenge), holder.Id, PasskeyEndpoints.Purpose, "add", code));
        verified.IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task sign_in_with_a_passkey_alone_refuses_junk_and_another_challenge_and_never_makes_a_session()
    {
        using var browser = app.Client();
        await browser.GetAsync("/login");
        var step = await browser.PostAsync("/login/passkey/start", new());
        step.Status.ShouldBe(HttpStatusCode.OK, step.Text);
        var challenge = step.Document.QuerySelector("form[action='/login/passkey'] input[name=challenge]")!.GetAttribute("value")!;
        step.Document.QuerySelector("[data-passkey]")!.GetAttribute("data-passkey").ShouldBe(challenge);
        var request = JsonDocument.Parse(await app.Host.Server.CreateClient().GetStringAsync($"/otp/passkey/{challenge}")).RootElement;
        request.GetProperty("allow").GetArrayLength().ShouldBe(0, "no holder yet: the browser offers the passkeys it holds");

        foreach (var (posted, code) in new[] { (challenge, ""), (challenge, "{\"id\":\"nope\"}"), (Guid.NewGuid().ToString(), "{}"), ("junk", "12345678") })
        {
            var refused = await browser.PostAsync("/login/passkey", new() { ["challenge"] = posted, ["code"] = code });
            refused.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
            refused.Document.QuerySelector("#login-error")!.TextContent.ShouldContain("This passkey can't sign you in");
        }
        (await browser.GetAsync("/")).Location!.ShouldStartWith("/login", Case.Insensitive);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
