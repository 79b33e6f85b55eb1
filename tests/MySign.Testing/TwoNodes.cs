using Marten;

namespace MySign.Testing;

/// <summary>
/// Two app processes on one PostgreSQL, as fly.toml runs them (node A makes the database, node B joins it), one SMTP
/// catcher for both, and a document store on their database for setting up and reading back.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    public SmtpServer Smtp { get; } = new();
    public AppProcess A { get; } = new();
    public AppProcess B { get; } = new();
    public IDocumentStore Store { get; private set; } = null!;

    public async Task StartAsync(IDictionary<string, string> settings)
    {
        await Smtp.StartAsync();
        await A.StartAsync(Smtp, settings);
        await B.JoinAsync(A, Smtp, settings);
        Store = AppStore.For(A.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        Store?.Dispose();
        await B.DisposeAsync();
        await A.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
