using Marten;
using MySign.Kernel.Web;

namespace MySign.Otp.Sms;

/// <summary>The sandbox SMS messages, for Development's /dev/outbox.</summary>
public sealed class SandboxSmsOutbox(IDocumentStore store) : IDevOutboxSource
{
    public async Task<IReadOnlyList<OutboxItem>> RecentAsync(int count, CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        var texts = await session.Query<SandboxSms>().OrderByDescending(s => s.At).Take(count).ToListAsync(cancellation);
        return texts.Select(s => new OutboxItem(s.At, "SMS", s.To, "SMS", s.Text)).ToList();
    }
}
