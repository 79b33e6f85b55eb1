using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MySign.Certificates.Contracts;
using Wolverine;

namespace MySign.Tests.Foundation;

/// <summary>
/// Every endpoint the app maps (read from its endpoint data source, so a new one is covered the day it is added),
/// called by a signed-in holder, an RAO operator and an anonymous visitor with a fixed set of hostile route values,
/// query strings, form fields, bodies and headers: nothing may answer 5xx or show a stack trace.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class FuzzTests(AppFixture app)
{
    private static readonly string[] Hostile =
    [
        "", "0", "-1", "99999999999999999999", "9999-12-31", "0001-01-01", "2026-02-30", "1e309", "NaN",
        "'; drop table x; --", "<script>alert(1)</script>", "../../../etc/passwd", "\u0000\u0001\u001b[2J", "\u202eevil\u2066",
        "😀\ud800", "%ff%fe%00", "{\"a\":[", "00000000-0000-0000-0000-000000000000", new string('9', 70), new string('a', 5000),
    ];

    /// <summary>
    /// Every field name the portal's templates post or link (read from the .sbn files, so a new form is covered), plus the
    /// query parameters the pages read: hostile values reach real code, not only unknown fields.
    /// </summary>
    private static readonly string[] Fields = new[] { "*.sbn", "*.cs" }
        .SelectMany(pattern => Directory.EnumerateFiles(Path.Combine(AppProcess.RepositoryRoot(), "modules"), pattern, SearchOption.AllDirectories))
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
        .SelectMany(f => FieldName().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))
        .Concat(["from", "to", "before", "page", "token", "edit", "expired", "bye", "cancelled", "registered", "code", "create"])
        .Where(n => n != "__RequestVerificationToken").Distinct().Order().ToArray();

    /// <summary>name="field" in a template, or form["field"] / this["field"] in the code that reads it.</summary>
    [GeneratedRegex(@"name=""([a-z_][a-z0-9_]*)""|(?:form|this|values)\[""([a-z_][a-z0-9_]*)""\]")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"\{\*?([A-Za-z_]+)[^}]*\}")]
    private static partial Regex Parameter();

    private sealed record Target(string Method, string Pattern);

    private IReadOnlyList<Target> Targets() =>
        app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => new Target(m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct().OrderBy(t => t.Pattern.Contains("logout") ? 1 : 0).ThenBy(t => t.Pattern).ToList();

    /// <summary>Route values: the hostile ones a URL path can carry (the in-memory test server refuses control bytes in a path).</summary>
    private static string Fill(string pattern, string value) =>
        Parameter().Replace(pattern, _ => Uri.EscapeDataString(value.Length == 0 || value.Any(c => char.IsControl(c) || char.IsSurrogate(c)) || value.Contains('%') ? "x" : value));

    private static readonly string[] QueryFields = ["from", "to", "before", "page", "token", "edit", "expired", "bye", "cancelled", "registered", "q", "id"];

    private static string Query(string value) => "?" + string.Join('&', QueryFields.Select(f => f + "=" + Uri.EscapeDataString(value)));

    private static IEnumerable<(string Kind, Func<HttpContent> Body)> Bodies(string value)
    {
        yield return ("form", () => new FormUrlEncodedContent(Fields.Select(f => new KeyValuePair<string, string>(f, value))));
        yield return ("json", () => new StringContent($"{{\"credentialID\":\"{value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\",\"numSignatures\":{(value.All(char.IsAsciiDigit) && value.Length is > 0 and < 30 ? value : "1e999")},\"hashes\":[\"{value.Length}\"],\"PIN\":null}}", Encoding.UTF8, "application/json"));
    }

    private static readonly (string Kind, Func<HttpContent> Body)[] Broken =
    [
        ("bad percent-encoding", () => new StringContent("a=%zz&%%%=1&pin=%", Encoding.ASCII, "application/x-www-form-urlencoded")),
        ("broken multipart", () => new StringContent("--XYZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4 cut", Encoding.ASCII) { Headers = { ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=XYZ") } }),
        ("multipart without boundary", () => new StringContent("x", Encoding.ASCII) { Headers = { ContentType = MediaTypeHeaderValue.Parse("multipart/form-data") } }),
        ("oversized form field", () => new StringContent("pin=" + new string('1', 2 * 1024 * 1024), Encoding.ASCII, "application/x-www-form-urlencoded")),
        ("thousands of fields", () => new StringContent(string.Join('&', Enumerable.Range(0, 5000).Select(i => $"f{i}=x")), Encoding.ASCII, "application/x-www-form-urlencoded")),
        ("xml bomb", () => new StringContent("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY b \"bbbbbbbb\"><!ENTITY c \"&b;&b;&b;&b;\">]><a>&c;</a>", Encoding.UTF8, "application/xml")),
        ("not xml", () => new StringContent("\u0000\u0001<Document><Ntry>", Encoding.UTF8, "application/xml")),
        ("binary", () => new ByteArrayContent([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0, 0xa1]) { Headers = { ContentType = MediaTypeHeaderValue.Parse("application/json") } }),
    ];

    private async Task<PortalClient> HolderClient()
    {
        var holder = await Holders.CreateAsync(app.Store, "Fuzz", "Tester");
        using (var scope = app.Host.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<CertificateIssued>(new IssueCertificate(holder.Id, "Fuzz", "Tester", "TSTFZZ80A01H501X", "24681357"));
        var client = app.Client();
        await client.LoginAsync(holder.Id, holder.Password);
        await client.GetAsync("/");
        return client;
    }

    private async Task<PortalClient> RaoClient()
    {
        var op = await Operators.CreateAsync(app.Store);
        var client = app.Client();
        await Operators.SignInAsync(client, app.Store, op);
        await client.GetAsync("/rao");
        return client;
    }

    [Fact]
    public async Task every_mapped_endpoint_answers_hostile_input_without_a_5xx_or_a_stack_trace()
    {
        var targets = Targets();
        targets.Count.ShouldBeGreaterThan(60, "the endpoint data source lists every mapped endpoint");
        Fields.ShouldContain("doc_expiry", "the field names come from the templates");
        using var holder = await HolderClient();
        using var rao = await RaoClient();
        using var anonymous = app.Client();
        await anonymous.GetAsync("/login");
        var failures = new List<string>();
        var loggedBefore = app.LoggedErrors.Seen.Count;

        async Task Send(PortalClient client, string method, string url, string kind, HttpContent? body, string value)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = body };
            if (client.Token is not null) request.Headers.TryAddWithoutValidation("RequestVerificationToken", client.Token);
            if (value.Length % 3 == 1)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + value);
                request.Headers.TryAddWithoutValidation("MySign-Signature", $"t={value},t=1,v1={value}");
            }
            PortalClient.Page page;
            try { page = await client.SendAsync(request); }
            catch (Exception e) { failures.Add($"{method} {url} [{kind}] threw {e.GetType().Name}: {e.Message}"); return; }
            if ((int)page.Status >= 500 || page.Html.Contains("   at MySign") || page.Html.Contains("Exception:"))
                failures.Add($"{method} {url[..Math.Min(url.Length, 120)]} [{kind}, value {value[..Math.Min(value.Length, 20)]}] → {(int)page.Status} {page.Html[..Math.Min(page.Html.Length, 300)]}");
        }

        foreach (var target in targets)
        {
            var client = target.Pattern.StartsWith("/rao") ? rao : target.Pattern.Contains("logout") ? anonymous : holder;
            foreach (var value in Hostile)
            {
                var url = Fill(target.Pattern, value) + Query(value);
                if (target.Method is "GET" or "HEAD" or "DELETE")
                {
                    await Send(client, target.Method, url, "query", null, value);
                    continue;
                }
                foreach (var (kind, body) in Bodies(value)) await Send(client, target.Method, url, kind, body(), value);
            }
            if (target.Method is "POST" or "PUT" or "PATCH")
                foreach (var (kind, body) in Broken) await Send(client, target.Method, Fill(target.Pattern, "1"), kind, body(), "");
        }
        failures.ShouldBeEmpty(string.Join("\n", failures.Take(40)));
        app.LoggedErrors.Seen.Skip(loggedBefore).ShouldBeEmpty("hostile input is the client's doing: a 4xx, never logged as an unhandled 500");
    }
}
