using System.Text;
using Marten;
using Microsoft.Extensions.Logging;
using MySign.Billing.Domain;
using MySign.Billing.Invoicing;
using Wolverine;

namespace MySign.Billing.Sdi;

/// <summary>Where an order's file is: the document it belongs to and the file.</summary>
public static class OrderFiles
{
    public static IEnumerable<FiscalDocument> Documents(this Order order) => order.Invoice is null ? order.CreditNotes : order.CreditNotes.Prepend(order.Invoice);

    public static (FiscalDocument Document, SdiFile File)? FindFile(this Order order, string name) =>
        order.Documents().Select(d => (Document: d, File: d.File(name))).FirstOrDefault(f => f.File is not null) is { File: not null } found ? (found.Document, found.File) : null;

    public static FiscalDocument? FindDocument(this Order order, string number) => order.Documents().FirstOrDefault(d => d.Number == number);
}

/// <summary>
/// Sends one queued file through the channel and marks it sent, once: a file no longer queued (sent by an earlier delivery
/// of this message, or by the sweep) is left alone. A crash after the channel took the file and before this commits sends
/// it again; SdI answers the second copy with NS 00002, which the answers' handler keeps as an echo.
/// </summary>
public static class TransmitFiscalFileHandler
{
    public static async Task<OutgoingMessages> Handle(TransmitFiscalFile message, IDocumentSession session, ISdiChannel channel, TimeProvider clock,
        ILogger<TransmitFiscalFile> logger, CancellationToken cancellation)
    {
        var messages = new OutgoingMessages();
        var order = await session.LoadAsync<Order>(message.OrderId, cancellation);
        if (order?.FindFile(message.FileName) is not { } found || found.File.State != SdiState.Queued) return messages;
        var (document, file) = found;
        messages.AddRange(await channel.SendAsync(file.Name, Encoding.UTF8.GetBytes(file.Xml), session, cancellation));
        file.State = SdiState.Sent;
        file.SentAt = clock.GetUtcNow();
        if (ReferenceEquals(document.Latest(), file)) document.State = SdiState.Sent;
        session.Store(order);
        if (await session.LoadAsync<SdiFileEntry>(file.Name, cancellation) is { } entry)
        {
            entry.Sent = true;
            session.Store(entry);
        }
        logger.LogInformation("{Kind} {Number}: file {File} sent to SdI", document.Kind, document.Number, file.Name);
        return messages;
    }
}

/// <summary>Runs on a schedule, once per cluster: files still queued a while after they were made are sent now.</summary>
public sealed record SendQueuedFiscalFiles;

public static class SendQueuedFiscalFilesHandler
{
    /// <summary>Long enough for the send that follows a commit to have happened before the sweep tries the same file.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    public static async Task<OutgoingMessages> Handle(SendQueuedFiscalFiles _, IQuerySession session, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var queued = await session.Query<SdiFileEntry>().Where(f => !f.Sent && f.DueAt <= now).OrderBy(f => f.DueAt).Take(100).ToListAsync(cancellation);
        var messages = new OutgoingMessages();
        messages.AddRange(queued.Select(f => new TransmitFiscalFile(f.OrderId, f.Id)));
        return messages;
    }
}
