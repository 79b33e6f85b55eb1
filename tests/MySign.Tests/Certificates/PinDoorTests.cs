using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using MySign.Certificates.Contracts;
using MySign.RemoteSigning.Csc;
using MySign.Certificates.Custody;
using MySign.Certificates.Pin;
using Wolverine.Http;
using Wolverine.Tracking;

namespace MySign.Tests.Certificates;

/// <summary>
/// ADR 0006's rule, door by door: a PIN has five wrong tries in its life and a right PIN clears none of them, so no
/// interleaving of right and wrong PINs, on any door, gives anyone a sixth. Every door that takes the signature PIN is
/// a row; a door the table does not know fails <see cref="every_door_that_takes_the_pin_is_a_row_of_the_table"/>.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PinDoorTests(AppFixture app)
{
    private const string Pin = "24681357";

    public enum Answer { Passed, Wrong, Blocked }

    /// <summary>One door, opened for one holder: a try sends a PIN the way this door takes it and says what came back.</summary>
    private delegate Task<Answer> Try(string pin);

    /// <param name="Route">the door a holder or client uses</param>
    /// <param name="Reaches">the Certificates door it asks for the PIN: its own endpoint, or the request another module sends (RemoteSigning's)</param>
    private sealed record Door(string Name, string Route, bool OtpFirst, Func<PinDoorTests, PortalClient, TestHolder, Task<Try>> Open, string? Reaches = null)
    {
        public string Certificates => Reaches ?? Route;
        public override string ToString() => Name;
    }

    private static readonly Door[] Doors =
    [
        new("PIN change", "POST /pin", false, (_, client, _) => Form(client, "/pin", "/pin", pin => new() { ["current"] = pin, ["new"] = "59371846", ["confirm"] = "59371846" })),
        new("suspend", "POST /certificate/{action}", false, (_, client, _) => Form(client, "/certificate/suspend", "/certificate/suspend", pin => new() { ["reason"] = "lostDevice", ["pin"] = pin })),
        new("revoke", "POST /certificate/{action}", false, (_, client, _) => Form(client, "/certificate/revoke", "/certificate/revoke",
            pin => new() { ["reason"] = "keyCompromise", ["understood"] = "yes", ["pin"] = pin })),
        new("reactivate", "POST /certificate/{action}", false, async (test, client, holder) =>
        {
            await test.SuspendAsync(client, holder);
            return await Form(client, "/certificate/reactivate", "/certificate/reactivate", pin => new() { ["pin"] = pin });
        }),
        new("emergency code", "POST /certificate/emergency-code", false, async (_, client, _) =>
        {
            var attempt = await Form(client, "/", "/certificate/emergency-code", pin => new() { ["pin"] = pin });
            // A new code is shown until the holder says it is kept; only then is the PIN field there again.
            return async pin =>
            {
                var answer = await attempt(pin);
                if (answer == Answer.Passed) (await client.PostAsync("/certificate/emergency-code/kept", new())).Status.ShouldBe(HttpStatusCode.OK);
                return answer;
            };
        }),
        new("Sign a document", "POST /sign", false, (test, client, holder) => test.SignAsync(client), Reaches: nameof(SignWithPin)),
        new("renewal consents", "CheckSignaturePin", false, (test, client, holder) => test.RenewalAsync(client)),
        new("OAuth consent", "POST /csc/v2/oauth2/authorize/{id}", true, (test, client, holder) => test.ConsentAsync(client, holder), Reaches: nameof(AuthorizeSignatures)),
        new("CSC authorize", "POST /csc/v2/credentials/authorize", true, (test, client, holder) => test.CscAsync(holder), Reaches: nameof(AuthorizeSignatures)),
    ];

    public static TheoryData<string> AllDoors => [.. Doors.Select(d => d.Name)];
    public static TheoryData<string> PinFirstDoors => [.. Doors.Where(d => !d.OtpFirst).Select(d => d.Name)];

    [Theory, MemberData(nameof(AllDoors))]
    public async Task a_right_pin_clears_no_wrong_one_and_the_fifth_wrong_pin_blocks_the_door(string name)
    {
        var door = Doors.Single(d => d.Name == name);
        var (client, holder) = await HolderAsync(name == "renewal consents");
        using var _c = client;
        var attempt = await door.Open(this, client, holder);

        var answers = new List<Answer>();
        for (var i = 0; i < 4; i++) answers.Add(await attempt("1357924" + i));
        answers.Add(await attempt(Pin));
        answers.Add(await attempt("13579240"));
        answers.Add(await attempt(Pin));
        answers.ShouldBe([Answer.Wrong, Answer.Wrong, Answer.Wrong, Answer.Wrong, Answer.Passed, Answer.Blocked, Answer.Blocked],
            $"{name}: four wrong PINs, the right one, a fifth wrong one (it blocks: the right PIN cleared nothing), then the right PIN is refused");
        (await WrongPinsAsync(holder.Id)).ShouldBe(5, name);
    }

    [Theory, MemberData(nameof(PinFirstDoors))]
    [Trait("Shake", "concurrency")]
    public async Task forty_parallel_tries_with_the_right_pin_among_them_let_no_more_than_five_wrong_ones_in(string name)
    {
        var door = Doors.Single(d => d.Name == name);
        var (client, holder) = await HolderAsync(name == "renewal consents");
        using var _c = client;
        var attempt = await door.Open(this, client, holder);

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => attempt(i == 20 ? Pin : "1357924" + (i % 10))));
        // Whatever the order: at most four wrong PINs are answered as merely wrong (the fifth blocks), never more than five counted.
        answers.Count(a => a == Answer.Wrong).ShouldBeLessThanOrEqualTo(4, $"{name}: {string.Join(", ", answers)}");
        var counted = await WrongPinsAsync(holder.Id);
        counted.ShouldBeLessThanOrEqualTo(5, name);
        // The wrong PINs the burst left room for are all there is: each further wrong one counts until five, then the right PIN is refused.
        for (var i = counted; i < 5; i++) (await attempt("97531864")).ShouldBe(i < 4 ? Answer.Wrong : Answer.Blocked, $"{name}: wrong PIN number {i + 1}");
        (await attempt(Pin)).ShouldBe(Answer.Blocked, name);
        (await WrongPinsAsync(holder.Id)).ShouldBe(5, name);
    }

    [Fact]
    public async Task wrong_pins_counted_before_the_count_had_its_own_document_still_count()
    {
        // An upgraded deployment: the certificate document itself still says how many wrong PINs it took.
        async Task<PortalClient> Legacy(int wrong)
        {
            var (client, holder) = await HolderAsync(false);
            await using var session = app.Store.LightweightSession();
            var certificate = (await session.LoadAsync<MySign.Certificates.Domain.HolderCertificate>(holder.Id))!;
            certificate.WrongPinAttempts = wrong;
            session.Store(certificate);
            await session.SaveChangesAsync();
            await client.GetAsync("/certificate/suspend");
            return client;
        }
        async Task<string> Suspend(PortalClient client, string pin) =>
            (await client.PostAsync("/certificate/suspend", new() { ["reason"] = "lostDevice", ["pin"] = pin })).Text;

        using var blocked = await Legacy(5);
        (await blocked.GetAsync("/portal/boxes/pin", htmx: true)).Text.ShouldContain("Your PIN is blocked");
        (await Suspend(blocked, Pin)).ShouldContain("Your PIN is blocked");

        using var three = await Legacy(3);
        (await Suspend(three, "13579246")).ShouldContain("The PIN is not correct: one attempt left before it is blocked.", customMessage: "the three counted before count");
        (await Suspend(three, "13579246")).ShouldContain("Your PIN is blocked");
    }

    [Fact]
    public async Task a_blocked_pin_gets_no_code_at_any_door_that_would_send_one()
    {
        var (client, holder) = await HolderAsync(inRenewalWindow: false);
        using var _c = client;
        var sign = await SignAsync(client);
        for (var i = 0; i < 5; i++) await sign("1357924" + i);
        (await WrongPinsAsync(holder.Id)).ShouldBe(5);
        await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
        var sent = await SmsCountAsync(holder.Phone);

        var portal = await client.PostAsync("/sign/otp", new());
        portal.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        portal.Text.ShouldContain("no code is sent");
        var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        using (var login = await http.PostAsJsonAsync("/csc/v2/auth/login", new { }))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());
        using (var csc = await http.PostAsJsonAsync("/csc/v2/credentials/sendOTP", new { credentialID = (await CredentialAsync(holder.Id)).ToString() }))
        {
            csc.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await csc.Content.ReadAsStringAsync()).ShouldContain("The PIN is blocked");
        }
        var clientId = "blocked." + Guid.NewGuid().ToString("N")[..10];
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new OAuthClient { Id = clientId, Name = "Firma di prova", RedirectUris = ["https://wallet.example/cb"], CreatedAt = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync();
        }
        var hash = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData("contratto"u8.ToArray()));
        var challenge = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(new string('p', 43))));
        var page = await client.GetAsync($"/csc/v2/oauth2/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString("https://wallet.example/cb")}" +
                                         $"&state=s&scope=credential&credentialID={await CredentialAsync(holder.Id)}&numSignatures=1&hashes={hash}&code_challenge={challenge}&code_challenge_method=S256");
        var consent = await client.PostAsync(page.Document.QuerySelector("form[action$='/otp']")!.GetAttribute("action")!, new());
        consent.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        consent.Text.ShouldContain("no code is sent");

        (await SmsCountAsync(holder.Phone)).ShouldBe(sent, "no SMS went out for a PIN that cannot sign");
    }

    private async Task<int> SmsCountAsync(string phone) => (await Holders.SmsToAsync(app.Store, phone)).Count;

    [Fact]
    public void every_door_that_takes_the_pin_is_a_row_of_the_table()
    {
        // A door is an HTTP endpoint or a message handler of Certificates that asks the signature activation module for the PIN;
        // RemoteSigning's doors reach it through the requests AuthorizeSignatures and SignWithPin.
        var doors = typeof(SignatureActivation).Assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(SignatureActivation)))
            .Select(m => m.GetCustomAttributes().OfType<WolverineHttpMethodAttribute>().FirstOrDefault() is { } http
                ? $"{http.HttpMethod} {http.Template}"
                : m.GetParameters()[0].ParameterType.Name)
            .ToHashSet();
        doors.ShouldNotBeEmpty();
        doors.OrderBy(d => d).ShouldBe(Doors.Select(d => d.Certificates).Distinct().OrderBy(d => d), "every door that takes the PIN needs its row here");
    }

    private async Task<(PortalClient, TestHolder)> HolderAsync(bool inRenewalWindow)
    {
        var holder = await Holders.CreateAsync(app.Store, "Pietro", "Galli");
        var validFrom = inRenewalWindow ? DateTimeOffset.UtcNow - TimeSpan.FromDays(3 * 365) + TimeSpan.FromDays(30) : (DateTimeOffset?)null;
        await app.Host.ExecuteAndWaitAsync(c => c.InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Pietro", "Galli", "GLLPTR80A01H501Y", Pin, ValidFrom: validFrom)));
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/");
        return (client, holder);
    }

    private async Task<int> WrongPinsAsync(string holderId)
    {
        await using var session = app.Store.QuerySession();
        var attempts = await session.LoadAsync<PinAttempts>(holderId);
        var certificate = await session.LoadAsync<MySign.Certificates.Domain.HolderCertificate>(holderId);
        return PinAttempts.WrongFor(certificate!, attempts);
    }

    private static Answer Read(HttpStatusCode status, string text, string door)
    {
        ((int)status).ShouldBeLessThan(500, $"{door}: {text}");
        return text.Contains("Your PIN is blocked") || text.Contains("The PIN is blocked") ? Answer.Blocked
            : text.Contains("The PIN is not correct") || text.Contains("The PIN is invalid") ? Answer.Wrong
            : Answer.Passed;
    }

    /// <summary>A portal form: loaded once (for its antiforgery token), then posted with each PIN.</summary>
    private static async Task<Try> Form(PortalClient client, string page, string action, Func<string, Dictionary<string, string>> form)
    {
        await client.GetAsync(page);
        return async pin =>
        {
            var answer = await client.PostAsync(action, form(pin));
            return Read(answer.Status, answer.Text, action);
        };
    }

    private async Task SuspendAsync(PortalClient client, TestHolder holder)
    {
        await client.GetAsync("/certificate/suspend");
        var otp = await client.PostAsync("/certificate/suspend", new() { ["reason"] = "temporaryAbsence", ["pin"] = Pin });
        var confirm = otp.Document.QuerySelector("#box-suspension form")!.GetAttribute("action")!;
        var done = await client.PostAsync(confirm, new() { ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
        done.Status.ShouldBe(HttpStatusCode.OK, done.Text);
        await AppClock.MessagesSettledAsync(app.ConnectionString);
    }

    /// <summary>Sign a document: the OTP is sent first, the upload carries the file, the PIN and a code (the PIN is checked before the code).</summary>
    private async Task<Try> SignAsync(PortalClient client)
    {
        await client.GetAsync("/sign");
        var otp = await client.PostAsync("/sign/otp", new());
        var challenge = otp.Document.QuerySelector("input[name=challenge]")!.GetAttribute("value")!;
        return async pin =>
        {
            var form = new MultipartFormDataContent
            {
                { new StringContent(client.Token!), "__RequestVerificationToken" }, { new StringContent(challenge), "challenge" },
                { new StringContent(pin), "pin" }, { new StringContent("00000000"), "code" },
                { new ByteArrayContent("Verbale di prova\n"u8.ToArray()), "document", "verbale.txt" },
            };
            var answer = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sign") { Content = form });
            return Read(answer.Status, answer.Text, "/sign");
        };
    }

    /// <summary>The renewal's Consents step; a right PIN moves the wizard on, so the next try starts a renewal again.</summary>
    private async Task<Try> RenewalAsync(PortalClient client)
    {
        await AppClock.MessagesSettledAsync(app.ConnectionString);
        async Task<Guid> Start()
        {
            await client.GetAsync("/renewal");
            var started = await client.PostAsync("/renewal", new() { ["path"] = "store" });
            started.Status.ShouldBe(HttpStatusCode.Redirect, started.Text);
            var id = Guid.Parse(started.Location!.Split('/').Last());
            await client.GetAsync($"/renewal/{id}");
            return id;
        }
        var current = await Start();
        var gate = new SemaphoreSlim(1);
        return async pin =>
        {
            var answer = await client.PostAsync($"/renewal/{current}/consents", new() { ["conditions"] = "on", ["data_valid"] = "on", ["pin"] = pin });
            var read = Read(answer.Status, answer.Text, "renewal consents");
            if (read == Answer.Passed && answer.Status == HttpStatusCode.OK && answer.Text.Contains("Enter the OTP code"))
            {
                await gate.WaitAsync();
                try
                {
                    await client.PostAsync($"/renewal/{current}/cancel", new());
                    current = await Start();
                }
                finally { gate.Release(); }
            }
            return read;
        };
    }

    /// <summary>The OAuth consent page for one hash: a new authorisation request and a new OTP for every try (the OTP is asked first).</summary>
    private async Task<Try> ConsentAsync(PortalClient client, TestHolder holder)
    {
        var clientId = "pin." + Guid.NewGuid().ToString("N")[..10];
        await using (var session = app.Store.LightweightSession())
        {
            session.Store(new OAuthClient { Id = clientId, Name = "Firma di prova", RedirectUris = ["https://wallet.example/cb"], CreatedAt = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync();
        }
        var credential = await CredentialAsync(holder.Id);
        var hash = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData("contratto"u8.ToArray()));
        var challenge = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(new string('p', 43))));
        return async pin =>
        {
            var page = await client.GetAsync($"/csc/v2/oauth2/authorize?response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString("https://wallet.example/cb")}" +
                                             $"&state=s&scope=credential&credentialID={credential}&numSignatures=1&hashes={hash}&code_challenge={challenge}&code_challenge_method=S256");
            var send = page.Document.QuerySelector("form[action$='/otp']")!.GetAttribute("action")!;
            var confirm = await client.PostAsync(send, new());
            // A blocked PIN gets no code: the page says so before the OTP step.
            if (confirm.Status == HttpStatusCode.UnprocessableEntity && confirm.Text.Contains("no code is sent")) return Answer.Blocked;
            confirm.Status.ShouldBe(HttpStatusCode.OK, confirm.Text);
            var answer = await client.PostAsync(send[..^"/otp".Length], new() { ["pin"] = pin, ["code"] = await Holders.LastSmsCodeAsync(app.Store, holder.Phone) });
            return Read(answer.Status, answer.Text, "OAuth consent");
        };
    }

    /// <summary>CSC credentials/authorize with a service token: sendOTP (the resend gap passed), then PIN + OTP.</summary>
    private async Task<Try> CscAsync(TestHolder holder)
    {
        var http = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", "10.8.8." + Random.Shared.Next(1, 250));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{holder.Id}:{holder.Password}")));
        using (var login = await http.PostAsJsonAsync("/csc/v2/auth/login", new { }))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString());
        var credential = (await CredentialAsync(holder.Id)).ToString();
        var hash = Convert.ToBase64String(SHA256.HashData("contratto"u8.ToArray()));
        return async pin =>
        {
            await Holders.OtpResendGapPassedAsync(app.Store, holder.Id);
            using (var sent = await http.PostAsJsonAsync("/csc/v2/credentials/sendOTP", new { credentialID = credential }))
            {
                var said = await sent.Content.ReadAsStringAsync();
                // A blocked PIN gets no code: sendOTP says so.
                if (sent.StatusCode == HttpStatusCode.BadRequest && said.Contains("The PIN is blocked")) return Answer.Blocked;
                sent.StatusCode.ShouldBe(HttpStatusCode.NoContent, said);
            }
            var otp = await Holders.LastSmsCodeAsync(app.Store, holder.Phone);
            using var answer = await http.PostAsJsonAsync("/csc/v2/credentials/authorize", new
            {
                credentialID = credential, numSignatures = 1, hashes = new[] { hash },
                authData = new object[] { new { id = "PIN", value = pin }, new { id = "OTP", value = otp } },
            });
            return Read(answer.StatusCode, await answer.Content.ReadAsStringAsync(), "CSC authorize");
        };
    }

    private async Task<Guid> CredentialAsync(string holderId)
    {
        await using var session = app.Store.QuerySession();
        return (await session.LoadAsync<MySign.Certificates.Domain.HolderCertificate>(holderId))!.CertificateId;
    }
}
