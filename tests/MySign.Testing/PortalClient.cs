using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace MySign.Testing;

/// <summary>
/// Talks to the portal as a browser without JavaScript would: a cookie jar, form posts carrying the
/// antiforgery token of the last page, redirects seen (not followed) so tests can assert on them.
/// </summary>
public sealed partial class PortalClient : IDisposable
{
    private readonly HttpClient _http;
    /// <summary>The underlying client, for headers a browser sends (e.g. its User-Agent).</summary>
    public HttpClient Http => _http;
    public CookieContainer Cookies { get; } = new();
    public string? Token { get; private set; }
    /// <summary>The address this client appears to come from (rate limits are per address).</summary>
    public string Address { get; } = $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";
    private static readonly Uri Base = new("http://localhost/");

    public PortalClient(HttpMessageHandler inner, Uri? baseAddress = null)
    {
        _http = new HttpClient(new CookieHandler(Cookies) { InnerHandler = inner }) { BaseAddress = baseAddress ?? Base };
        _http.DefaultRequestHeaders.Add("X-Forwarded-For", Address);
    }

    public record Page(HttpStatusCode Status, string Html, HttpResponseMessage Response)
    {
        public IHtmlDocument Document => new HtmlParser().ParseDocument(Html);
        public string? Location => Response.Headers.Location?.OriginalString;
        public string Text => Document.Body?.TextContent ?? "";
    }

    public Task<Page> GetAsync(string path, bool htmx = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (htmx) request.Headers.Add("HX-Request", "true");
        return SendAsync(request);
    }

    /// <summary>Posts a form with the antiforgery token of the last page seen (unless <paramref name="withToken"/> is false).</summary>
    public Task<Page> PostAsync(string path, Dictionary<string, string> fields, bool withToken = true)
    {
        var values = new Dictionary<string, string>(fields);
        if (withToken && Token is not null) values.TryAdd("__RequestVerificationToken", Token);
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(values) });
    }

    public async Task<Page> SendAsync(HttpRequestMessage request)
    {
        var response = await _http.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        var token = TokenPattern().Match(html);
        if (token.Success) Token = WebUtility.HtmlDecode(token.Groups[1].Value);
        return new Page(response.StatusCode, html, response);
    }

    /// <summary>The raw bytes of a download.</summary>
    public async Task<byte[]> Response(string path)
    {
        using var response = await _http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Signs in through the login form; returns the response to the POST.</summary>
    public async Task<Page> LoginAsync(string userId, string password)
    {
        await GetAsync("/login");
        return await PostAsync("/login", new Dictionary<string, string> { ["user_id"] = userId, ["password"] = password });
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public void Dispose() => _http.Dispose();

    private sealed class CookieHandler(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(Base, request.RequestUri);
            var header = cookies.GetCookieHeader(uri);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                foreach (var cookie in setCookies) cookies.SetCookies(uri, cookie);
            return response;
        }
    }
}
