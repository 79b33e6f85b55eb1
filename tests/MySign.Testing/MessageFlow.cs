using Microsoft.Extensions.Hosting;
using Wolverine;
using Wolverine.Tracking;

namespace MySign.Testing;

/// <summary>
/// Given / When / Then for a flow between modules, in the manner of Wolverine's IncidentSpecs: <c>Given</c> publishes
/// what other modules would have said (their facts reach the module under test through their contracts' messages,
/// never by writing their documents), <c>When</c> sends the message under test and waits for everything it sets in
/// motion across the modules, and the <c>Then</c> methods read what that cascade published.
/// <code>
/// var flow = await app.Flow().Given(new CertificateIssued(...));
/// await flow.When(new SignatureMade(...));
/// flow.ThenPublished&lt;SomethingHappened&gt;().Holder.ShouldBe(id);
/// </code>
/// </summary>
public sealed class MessageFlow(IHost host)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private ITrackedSession? _when;

    /// <summary>Publishes each message as its owner would, one after the other, each cascade finished before the next.</summary>
    public async Task<MessageFlow> Given(params object[] messages)
    {
        foreach (var message in messages)
            await host.TrackActivity(Patience).ExecuteAndWaitAsync((IMessageContext bus) => bus.PublishAsync(message).AsTask());
        return this;
    }

    /// <summary>Publishes <paramref name="message"/> and waits until every handler it reaches, and what they send, is done.</summary>
    public async Task<MessageFlow> When(object message)
    {
        _when = await host.TrackActivity(Patience).ExecuteAndWaitAsync((IMessageContext bus) => bus.PublishAsync(message).AsTask());
        return this;
    }

    /// <summary>Sends <paramref name="command"/> to its one handler and waits, as <see cref="When(object)"/> does.</summary>
    public async Task<MessageFlow> WhenInvoked(object command)
    {
        _when = await host.TrackActivity(Patience).InvokeMessageAndWaitAsync(command);
        return this;
    }

    /// <summary>The one <typeparamref name="T"/> the flow published (sent or published, by any module it reached).</summary>
    public T ThenPublished<T>() => Tracked.Sent.SingleMessage<T>();

    /// <summary>Every <typeparamref name="T"/> the flow published.</summary>
    public IReadOnlyList<T> ThenAllPublished<T>() => Tracked.Sent.MessagesOf<T>().ToList();

    /// <summary>That the flow published no <typeparamref name="T"/>.</summary>
    public void ThenNothingPublished<T>()
    {
        var published = Tracked.Sent.MessagesOf<T>().ToList();
        if (published.Count > 0) throw new InvalidOperationException($"Expected no {typeof(T).Name}, but the flow published {published.Count}: {string.Join("; ", published)}");
    }

    /// <summary>That a handler took <typeparamref name="T"/> and finished it (a message published and handled, not only sent).</summary>
    public T ThenHandled<T>() => Tracked.Executed.SingleMessage<T>();

    private ITrackedSession Tracked => _when ?? throw new InvalidOperationException("Call When or WhenInvoked before a Then.");
}

public static class MessageFlows
{
    /// <summary>A new Given / When / Then flow against the app.</summary>
    public static MessageFlow Flow(this AppFixture app) => new(app.Host);
}
