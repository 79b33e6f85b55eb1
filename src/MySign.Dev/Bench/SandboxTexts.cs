using System.Linq.Expressions;
using Marten;
using MySign.Otp.Sms;

namespace MySign.Dev.Bench;

/// <summary>The sandbox operator's texts for a bench: codes leave through the outbox, so they arrive just after the request.</summary>
public static class SandboxTexts
{
    /// <summary>Once <paramref name="count"/> texts matching <paramref name="to"/> have arrived: the code of each recipient's latest.</summary>
    public static async Task<Dictionary<string, string>> CodesAsync(IDocumentStore store, Expression<Func<SandboxSms, bool>> to, int count = 1)
    {
        for (var tries = 0; ; tries++)
        {
            await using var query = store.QuerySession();
            var texts = await query.Query<SandboxSms>().Where(to).OrderBy(s => s.At).ToListAsync();
            if (texts.Count >= count)
                return texts.GroupBy(s => s.To).ToDictionary(g => g.Key, g => System.Text.RegularExpressions.Regex.Match(g.Last().Text, @"\b\d{8}\b").Value);
            if (tries > 2400) throw new TimeoutException($"{texts.Count} of {count} texts arrived in 2 minutes.");
            await Task.Delay(50);
        }
    }
}
