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
}
