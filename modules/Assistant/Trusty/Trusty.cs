using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using MySign.Assistant.Contracts;
using MySign.Kernel.Localization;
using MySign.Kernel.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Wolverine.Http;

namespace MySign.Assistant.Trusty;

/// <summary>One FAQ answer in one language. Id is "{topic}.{language}"; SearchText is what full-text search reads.</summary>
public sealed class FaqEntry
{
    public string Id { get; set; } = "";
    public string Topic { get; set; } = "";
    public string Language { get; set; } = "";
    public string Question { get; set; } = "";
    public string Answer { get; set; } = "";
    public string Link { get; set; } = "/";
    public bool Top { get; set; }
    public string Keywords { get; set; } = "";
    public string SearchText { get; set; } = "";
}

/// <summary>A question asked to Trusty and whether its answer helped: for the FAQ editors.</summary>
public sealed class TrustyQuestion
{
    public Guid Id { get; set; }
    public string Question { get; set; } = "";
    public string Language { get; set; } = "";
    public string? AnsweredWith { get; set; }
    public bool? Helpful { get; set; }
    public DateTimeOffset At { get; set; }
}

public sealed record TrustyAnswer(Guid? QuestionId, string Question, FaqEntry? Best, IReadOnlyList<FaqEntry> Related, IReadOnlyList<FaqEntry> TopTopics, bool Thanked);

/// <summary>
/// Trusty, the assistant in the header: a question in the reader's language is matched against the FAQ with
/// PostgreSQL full-text search (the "english" or "italian" configuration, so "rinnovo" finds "rinnovare"),
/// ranked; no match offers the top topics. No external service.
/// </summary>
public static partial class TrustyEndpoints
{
    public static string RegConfig(string language) => language == "it" ? "italian" : "english";

    [WolverineGet(AssistantPages.Trusty), AllowAnonymous]
    public static async Task<IResult> Panel(IQuerySession session, HttpContext context) =>
        View(new TrustyAnswer(null, "", null, [], await Top(session, context.RequestAborted), false));

    [WolverinePost(AssistantPages.Trusty), AllowAnonymous, Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.Assistant)]
    public static async Task<IResult> Ask([FromForm] string? question, HttpContext context, IDocumentSession session, TimeProvider clock)
    {
        question = (question ?? "").Trim();
        if (question.Length > 300) question = question[..300];
        if (question.Length == 0) return View(new TrustyAnswer(null, "", null, [], await Top(session, context.RequestAborted), false));
        // Answered in the question's language (an Italian question on the English page gets the Italian entry).
        var language = QuestionLanguage.Guess(question, Strings.Language);
        var config = RegConfig(language);
        // Any of the question's words may match (OR, through the language's full-text index); ranked with the FAQ
        // question weighing most, then the editors' keywords, then the answer.
        var found = await session.QueryAsync<FaqEntry>(
            """
            select d.data from assistant.mt_doc_faqentry as d,
                 to_tsquery(?::regconfig, replace(plainto_tsquery(?::regconfig, ?)::text, ' & ', ' | ')) as q
            where d.data ->> 'Language' = ? and to_tsvector(?::regconfig, d.data ->> 'SearchText') @@ q
            order by ts_rank(setweight(to_tsvector(?::regconfig, d.data ->> 'Question'), 'A')
                          || setweight(to_tsvector(?::regconfig, d.data ->> 'Keywords'), 'B')
                          || setweight(to_tsvector(?::regconfig, d.data ->> 'Answer'), 'C'), q) desc, d.id
            limit 3
            """, context.RequestAborted, config, config, question, language, config, config, config, config);
        var best = found.FirstOrDefault();
        var asked = new TrustyQuestion { Id = Guid.CreateVersion7(clock.GetUtcNow()), Question = question, Language = language, AnsweredWith = best?.Topic, At = clock.GetUtcNow() };
        session.Insert(asked);
        await session.SaveChangesAsync(context.RequestAborted);
        return View(new TrustyAnswer(asked.Id, question, best, found.Skip(1).ToList(), best is null ? await Top(session, context.RequestAborted) : [], false));
    }

    /// <summary>A topic picked from the list: its answer in the panel, like an answer to a question (no page is left).</summary>
    [WolverineGet("/trusty/topics/{topic}"), AllowAnonymous]
    public static async Task<IResult> Topic(string topic, IQuerySession session, HttpContext context)
    {
        var entry = topic.Length <= 64 ? await session.LoadAsync<FaqEntry>($"{topic}.{Strings.Language}", context.RequestAborted) : null;
        return entry is null ? Results.NotFound() : View(new TrustyAnswer(null, "", entry, [], [], false));
    }

    [WolverinePost("/trusty/{id}/feedback"), AllowAnonymous]
    public static async Task<IResult> Feedback(Guid id, [FromForm] string? helpful, HttpContext context, IDocumentSession session)
    {
        var asked = await session.LoadAsync<TrustyQuestion>(id, context.RequestAborted);
        if (asked is null) return Results.NotFound();
        asked.Helpful = helpful == "yes";
        session.Store(asked);
        await session.SaveChangesAsync(context.RequestAborted);
        return View(new TrustyAnswer(null, "", null, [], [], true));
    }

    private static async Task<IReadOnlyList<FaqEntry>> Top(IQuerySession session, CancellationToken cancellation)
    {
        var language = Strings.Language;
        return await session.Query<FaqEntry>().Where(f => f.Language == language && f.Top).OrderBy(f => f.Id).ToListAsync(cancellation);
    }

    private static IResult View(TrustyAnswer answer) =>
        new HtmlView(typeof(TrustyEndpoints).Assembly, "Trusty/Trusty", answer with { Best = answer.Best is { } best ? Labelled(best) : null }, "trusty.title");

    /// <summary>
    /// The FAQ names buttons and links by their message key ([[login.submit]]): each reads as it does on the page the
    /// reader is on (ACCEDI on an Italian page, SIGN IN on an English one), whatever language the answer is in. The
    /// Assistant keeps its own copy of those names ("trusty.button." + the key), never reading another module's strings;
    /// a test holds every copy equal to the page's label.
    /// </summary>
    public static FaqEntry Labelled(FaqEntry entry) => new()
    {
        Id = entry.Id, Topic = entry.Topic, Language = entry.Language, Question = entry.Question, Link = entry.Link, Top = entry.Top,
        Keywords = entry.Keywords, SearchText = entry.SearchText, Answer = WithLabels(entry.Answer, Strings.Language),
    };

    public static string WithLabels(string text, string language) => ButtonName().Replace(text, m => Strings.T(ButtonPrefix + m.Groups[1].Value, language));

    public const string ButtonPrefix = "trusty.button.";

    /// <summary>The keys the FAQ names buttons by (for the test that keeps the Assistant's copies equal to the pages' labels).</summary>
    public static IEnumerable<string> ButtonKeys(string text) => ButtonName().Matches(text).Select(m => m.Groups[1].Value);

    [System.Text.RegularExpressions.GeneratedRegex(@"\[\[([a-z0-9_.]+)\]\]")]
    private static partial System.Text.RegularExpressions.Regex ButtonName();
}

/// <summary>Italian or English, from the little words people write; the page's language when it cannot tell.</summary>
public static class QuestionLanguage
{
    private static readonly HashSet<string> Italian = ["come", "il", "lo", "la", "le", "gli", "di", "del", "della", "con", "un", "una", "per", "che",
        "non", "mio", "mia", "posso", "cosa", "dove", "quando", "perché", "perche", "è", "sono", "ho", "si", "mi", "nel", "alla", "al", "cambio", "rinnovo"];
    private static readonly HashSet<string> English = ["how", "the", "do", "i", "my", "to", "with", "can", "what", "where", "when", "why", "is", "a",
        "an", "of", "for", "does", "it", "change", "renew", "me"];

    public static string Guess(string question, string fallback)
    {
        var words = question.ToLowerInvariant().Split([' ', '?', '!', ',', '.', ';', ':', '\'', '"'], StringSplitOptions.RemoveEmptyEntries);
        int it = words.Count(Italian.Contains), en = words.Count(English.Contains);
        return it > en ? "it" : en > it ? "en" : fallback;
    }
}

/// <summary>The FAQ is reference data shipped with the app: written (upserted) at every start, in every environment.</summary>
public sealed class FaqLoader(IDocumentStore store) : IHostedService
{
    private sealed record Text(string Question, string Answer, string Keywords);
    private sealed record Item(string Topic, string Link, bool Top, Text En, Text It);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var resource = typeof(FaqLoader).Assembly.GetManifestResourceStream(
            typeof(FaqLoader).Assembly.GetManifestResourceNames().Single(n => n.EndsWith("faq.json", StringComparison.Ordinal)))!;
        var items = await JsonSerializer.DeserializeAsync<List<Item>>(resource, new JsonSerializerOptions(JsonSerializerDefaults.Web), cancellationToken) ?? [];
        await using var session = store.LightweightSession();
        foreach (var item in items)
        foreach (var (language, text) in new[] { ("en", item.En), ("it", item.It) })
            session.Store(new FaqEntry
            {
                Id = $"{item.Topic}.{language}", Topic = item.Topic, Language = language, Question = text.Question, Answer = text.Answer,
                Link = item.Link, Top = item.Top, Keywords = text.Keywords,
                SearchText = $"{text.Question} {text.Keywords} {TrustyEndpoints.WithLabels(text.Answer, language)}",
            });
        await session.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
