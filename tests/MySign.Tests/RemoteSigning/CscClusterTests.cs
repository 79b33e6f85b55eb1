using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Marten;
using MySign.Dev;

namespace MySign.Tests.RemoteSigning;

/// <summary>Two app processes on one database, as fly.toml runs them, and a CSC client whose calls land on either.</summary>
public sealed class CscNodes : IAsyncLifetime
{
    private readonly SmtpServer _smtp = new();
    public AppProcess A { get; } = new();
    public AppProcess B { get; } = new();
    public IDocumentStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _smtp.StartAsync();
        await A.StartAsync(_smtp);
        await B.JoinAsync(A, _smtp);
        Store = AppStore.For(A.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        Store.Dispose();
        await B.DisposeAsync();
        await A.DisposeAsync();
        await _smtp.DisposeAsync();
    }
}

/// <summary>
/// The SAD across nodes: parallel extendTransaction calls spread over two nodes hand out one new SAD, and a signHash whose
/// answer was lost on the way back is answered again, by the other node, with the same signatures and no second spend.
/// </summary>
public sealed class CscClusterTests(CscNodes nodes) : IClassFixture<CscNodes>
{
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    private sealed record Caller(HttpClient OnA, HttpClient OnB, string Credential)
    {
        public HttpClient On(int i) => i % 2 == 0 ? OnA : OnB;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpClient http, string method, object body)
    {
        using var response = await http.PostAsJsonAsync("/csc/v2/" + method, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private HttpClient Client(Uri node, string token)
    {
        var http = new HttpClient { BaseAddress = node };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>The demo holder signed in once (on A); the service token works on both nodes.</summary>
    private async Task<Caller> SignedInAsync()
    {
        using var login = new HttpClient { BaseAddress = nodes.A.BaseAddress };
        login.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Demo.HolderUserId}:{Demo.HolderPassword}")));
        var (status, body) = await Post(login, "auth/login", new { });
        status.ShouldBe(HttpStatusCode.OK, body.ToString());
        var token = body.GetProperty("access_token").GetString()!;
        var onA = Client(nodes.A.BaseAddress, token);
        var (_, list) = await Post(onA, "credentials/list", new { });
        return new Caller(onA, Client(nodes.B.BaseAddress, token), list.GetProperty("credentialIDs")[0].GetString()!);
    }

    /// <summary>sendOTP on node A, authorize on node B: a SAD bound to <paramref name="hashes"/>.</summary>
    private async Task<string> AuthorizeAsync(Caller caller, string[] hashes)
    {
        // The tests of this class share the demo holder: let the resend spacing pass.
        await Holders.OtpResendGapPassedAsync(nodes.Store, Demo.HolderUserId);
        (await Post(caller.OnA, "credentials/sendOTP", new { credentialID = caller.Credential })).Status.ShouldBe(HttpStatusCode.NoContent);
        var otp = await Holders.LastSmsCodeAsync(nodes.Store, Demo.HolderMobile);
        var (status, grant) = await Post(caller.OnB, "credentials/authorize", new
        {
            credentialID = caller.Credential, numSignatures = hashes.Length, hashes,
            authData = new[] { new { id = "PIN", value = Demo.HolderPin }, new { id = "OTP", value = otp } },
        });
        status.ShouldBe(HttpStatusCode.OK, grant.ToString());
        return grant.GetProperty("SAD").GetString()!;
    }

    private static string Hash(string text) => Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text + Guid.NewGuid())));

    private static Task<(HttpStatusCode Status, JsonElement Body)> SignHash(HttpClient http, Caller caller, string sad, string[] hashes) =>
        Post(http, "signatures/signHash", new { credentialID = caller.Credential, SAD = sad, hashes, signAlgo = EcdsaWithSha256 });

    [Fact]
    public async Task eight_parallel_extends_of_one_sad_over_two_nodes_hand_out_one_sad_and_one_signature()
    {
        var caller = await SignedInAsync();
        string[] hash = [Hash("one contract")];
        var sad = await AuthorizeAsync(caller, hash);

        var extends = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Post(caller.On(i), "credentials/extendTransaction", new { credentialID = caller.Credential, SAD = sad, hashes = hash })));
        var answers = string.Join("; ", extends.Select(e => $"{(int)e.Status} {e.Body}"));
        extends.Count(e => e.Status == HttpStatusCode.OK).ShouldBe(1, answers);
        extends.Where(e => e.Status != HttpStatusCode.OK).ShouldAllBe(e => e.Body.GetProperty("error_description").GetString() == "Invalid SAD", answers);

        var sads = extends.Where(e => e.Status == HttpStatusCode.OK).Select(e => e.Body.GetProperty("SAD").GetString()!).Prepend(sad).ToList();
        var signed = await Task.WhenAll(sads.SelectMany((s, i) => new[] { SignHash(caller.On(i), caller, s, hash), SignHash(caller.On(i + 1), caller, s, hash) }));
        // Two identical calls on one SAD are one call and its replay: one signature, whatever answered it.
        signed.Where(s => s.Status == HttpStatusCode.OK).Select(s => s.Body.GetProperty("signatures")[0].GetString()).Distinct().Count()
            .ShouldBe(1, "one authorisation, one signature: " + string.Join("; ", signed.Select(s => $"{(int)s.Status} {s.Body}")));
    }

    [Fact]
    public async Task a_sign_hash_whose_answer_is_lost_is_answered_again_by_the_other_node_with_the_same_signatures_and_filed_once()
    {
        var caller = await SignedInAsync();
        string[] hashes = [Hash("offerta"), Hash("capitolato"), Hash("verbale")];
        var sad = await AuthorizeAsync(caller, hashes);

        // Node A does the work and answers; the answer never reaches the client.
        await using var relay = new TcpProxy("127.0.0.1", nodes.A.BaseAddress.Port) { LoseReplies = true };
        using (var throughRelay = Client(new Uri($"http://127.0.0.1:{relay.Port}"), caller.OnA.DefaultRequestHeaders.Authorization!.Parameter!))
            await Should.ThrowAsync<HttpRequestException>(() => SignHash(throughRelay, caller, sad, hashes));

        // The client retries on node B, then once more on A: the same signatures each time.
        var (status, retried) = await SignHash(caller.OnB, caller, sad, hashes);
        status.ShouldBe(HttpStatusCode.OK, retried.ToString());
        var (_, again) = await SignHash(caller.OnA, caller, sad, hashes);
        again.GetProperty("signatures").ToString().ShouldBe(retried.GetProperty("signatures").ToString());

        var (_, info) = await Post(caller.OnA, "credentials/info", new { credentialID = caller.Credential });
        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(info.GetProperty("cert").GetProperty("certificates")[0].GetString()!));
        using var key = certificate.GetECDsaPublicKey()!;
        var signatures = retried.GetProperty("signatures").EnumerateArray().Select(s => Convert.FromBase64String(s.GetString()!)).ToArray();
        signatures.Length.ShouldBe(3);
        for (var i = 0; i < 3; i++) key.VerifyHash(Convert.FromBase64String(hashes[i]), signatures[i], DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();

        // History files the three signatures once, however many times they were answered.
        await AppClock.MessagesSettledAsync(nodes.A.ConnectionString);
        var names = hashes.Select(h => "SHA-256 " + Convert.ToHexString(Convert.FromBase64String(h), 0, 8).ToLowerInvariant() + "…").ToList();
        await using var query = nodes.Store.QuerySession();
        var filed = await query.Query<MySign.History.Domain.SignatureRecord>().Where(r => r.HolderId == Demo.HolderUserId).ToListAsync();
        filed.Count(r => names.Contains(r.DocumentName)).ShouldBe(3);
    }

    /// <summary>
    /// Two nodes, one token (docs/adr/0015): both processes unwrap the holder's key into their own sessions of the shared
    /// SoftHSM2 token and sign at the same time. Whatever the interleaving, every hash the SAD lists is signed once, by the
    /// holder's key, and nothing more is signed.
    /// </summary>
    [Fact]
    public async Task two_nodes_sign_at_the_same_time_through_one_token_and_every_signature_is_the_holders()
    {
        var caller = await SignedInAsync();
        var hashes = Enumerable.Range(0, 24).Select(i => Hash($"lotto {i}")).ToArray();
        var sad = await AuthorizeAsync(caller, hashes);

        // Each hash twice, once on each node, all at once: one call signs it, the other is refused or answered the same.
        var calls = await Task.WhenAll(hashes.SelectMany((h, i) => new[] { SignHash(caller.On(i), caller, sad, [h]), SignHash(caller.On(i + 1), caller, sad, [h]) }));
        var answers = string.Join("; ", calls.Select(c => $"{(int)c.Status} {c.Body}"));
        calls.ShouldAllBe(c => c.Status == HttpStatusCode.OK || c.Status == HttpStatusCode.BadRequest, answers);

        var (_, info) = await Post(caller.OnA, "credentials/info", new { credentialID = caller.Credential });
        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(info.GetProperty("cert").GetProperty("certificates")[0].GetString()!));
        using var key = certificate.GetECDsaPublicKey()!;
        for (var i = 0; i < hashes.Length; i++)
        {
            var signed = new[] { calls[2 * i], calls[2 * i + 1] }.Where(c => c.Status == HttpStatusCode.OK)
                .Select(c => c.Body.GetProperty("signatures")[0].GetString()!).Distinct().ToList();
            signed.Count.ShouldBe(1, $"hash {i} is signed once: {answers}");
            key.VerifyHash(Convert.FromBase64String(hashes[i]), Convert.FromBase64String(signed[0]), DSASignatureFormat.Rfc3279DerSequence)
                .ShouldBeTrue($"hash {i} is signed by the holder's key");
        }
        // The SAD is spent: nothing more signs on it, on either node.
        (await SignHash(caller.OnA, caller, sad, [Hash("in più")])).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await SignHash(caller.OnB, caller, sad, [hashes[0], Hash("in più")])).Status.ShouldBe(HttpStatusCode.BadRequest);
    }
}
