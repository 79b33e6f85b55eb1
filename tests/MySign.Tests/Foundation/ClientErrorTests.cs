using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace MySign.Tests.Foundation;

/// <summary>
/// Hostile forms are the client's doing: each gets its 400 or 413 page, one request line in the log, a count of its own
/// in /metrics — and never the unhandled-exception record with a stack trace that a bug of ours gets.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class ClientErrorTests(AppFixture app)
{
    [GeneratedRegex(@"^mysign_client_errors_total\{[^}]*status=""(\d+)""[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex ClientErrorCounter();

    private async Task<Dictionary<string, long>> CountedAsync(PortalClient client)
    {
        var metrics = await client.GetAsync("/metrics");
        return ClientErrorCounter().Matches(metrics.Html).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.Sum(m => long.Parse(m.Groups[2].Value)));
    }

    [Fact]
    public async Task broken_multipart_nul_bytes_and_huge_bodies_get_4xx_and_are_not_logged_as_unhandled_500s()
    {
        using var visitor = app.Client();
        await visitor.GetAsync("/login");
        var before = await CountedAsync(visitor);
        var seenBefore = app.LoggedErrors.Seen.Count;

        async Task<HttpStatusCode> Post(HttpContent body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = body };
            request.Headers.TryAddWithoutValidation("RequestVerificationToken", visitor.Token);
            return (await visitor.SendAsync(request)).Status;
        }
        (await Post(new StringContent("x", Encoding.ASCII) { Headers = { ContentType = MediaTypeHeaderValue.Parse("multipart/form-data") } })).ShouldBe(HttpStatusCode.BadRequest);
        (await Post(new StringContent("--B\r\nContent-Disposition: form-data; name=\"user_id\"\r\n\r\nm1", Encoding.ASCII)
            { Headers = { ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=B") } })).ShouldBe(HttpStatusCode.BadRequest);
        (await Post(new ByteArrayContent("user_id=%00%zz&\0\0password=\0"u8.ToArray()) { Headers = { ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded") } }))
            .ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity);
        (await Post(new ByteArrayContent(new byte[29 * 1024 * 1024]) { Headers = { ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded") } }))
            .ShouldBe(HttpStatusCode.RequestEntityTooLarge);

        app.LoggedErrors.Seen.Skip(seenBefore).ShouldBeEmpty("a client's broken request is not an unhandled 500");
        // The exporter may answer a scrape from its short cache: read until the counts move (or a few seconds pass).
        var after = await CountedAsync(visitor);
        for (var until = DateTime.UtcNow.AddSeconds(5); after.GetValueOrDefault("413") == before.GetValueOrDefault("413") && DateTime.UtcNow < until;)
        {
            await Task.Delay(200);
            after = await CountedAsync(visitor);
        }
        (after.GetValueOrDefault("400") - before.GetValueOrDefault("400")).ShouldBeGreaterThanOrEqualTo(2, "each broken form counted as a client error");
        (after.GetValueOrDefault("413") - before.GetValueOrDefault("413")).ShouldBe(1);
    }

    [Fact]
    public async Task a_nul_anywhere_text_comes_in_is_a_400_before_the_database_and_the_next_request_is_served()
    {
        var holder = await Holders.CreateAsync(app.Store, "Nulla", "Zero");
        var seenBefore = app.LoggedErrors.Seen.Count;
        using var csc = new HttpClient(app.Host.Server.CreateHandler()) { BaseAddress = new Uri("http://localhost") };
        async Task<(HttpStatusCode Status, string Body)> Csc(string method, string json, string? basic = null, string? bearer = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/csc/v2/" + method) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            if (basic is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
            if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await csc.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        // A NUL in the User ID of HTTP Basic: refused; the same holder's right credentials, next, are served.
        (await Csc("auth/login", "{}", basic: holder.Id + "\0:x")).Status.ShouldBe(HttpStatusCode.BadRequest);
        var (status, login) = await Csc("auth/login", "{}", basic: $"{holder.Id}:{holder.Password}");
        status.ShouldBe(HttpStatusCode.OK, login);
        var token = System.Text.Json.JsonDocument.Parse(login).RootElement.GetProperty("access_token").GetString()!;

        // JSON with \u0000, and bodies with null where an object goes: CSC errors, never a 500.
        foreach (var (method, json) in new[]
                 {
                     ("credentials/list", """{"userID": "a\u0000b"}"""),
                     ("credentials/authorize", """{"credentialID": "00000000-0000-0000-0000-000000000000", "numSignatures": 1, "authData": [null]}"""),
                     ("signatures/signDoc", """{"credentialID": "00000000-0000-0000-0000-000000000000", "documents": [null]}"""),
                 })
        {
            var (refused, body) = await Csc(method, json, bearer: token);
            ((int)refused).ShouldBeInRange(400, 499, $"{method}: {body}");
            body.ShouldContain("\"error\"", customMessage: method);
        }
        var (own, credentials) = await Csc("credentials/list", "{}", bearer: token);
        own.ShouldBe(HttpStatusCode.OK, credentials);

        // The portal: a NUL in a query or an uploaded file's name.
        using var portal = app.Client();
        await portal.LoginAsync(holder.Id, holder.Password);
        (await portal.GetAsync("/csc/v2/oauth2/authorize?response_type=code&client_id=x&description=%00x")).Status.ShouldBe(HttpStatusCode.BadRequest);
        await portal.GetAsync("/sign");
        // .NET's own client will not write such a name: the multipart body is written by hand.
        var upload = new ByteArrayContent(Encoding.UTF8.GetBytes(
            $"--B\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{portal.Token}\r\n" +
            "--B\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n13572468\r\n" +
            "--B\r\nContent-Disposition: form-data; name=\"document\"; filename=\"contratto\0.txt\"\r\nContent-Type: text/plain\r\n\r\ntesto\r\n--B--\r\n"))
            { Headers = { ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=B") } };
        (await portal.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sign") { Content = upload })).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await portal.GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);

        app.LoggedErrors.Seen.Skip(seenBefore).ShouldBeEmpty("a NUL is the client's doing, not an unhandled 500");
    }
}
