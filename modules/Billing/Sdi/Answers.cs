using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySign.Billing.Domain;
using MySign.Billing.Invoicing;
using MySign.Kernel.Web;
using Wolverine;
using Wolverine.Http;

namespace MySign.Billing.Sdi;

/// <summary>
/// An SdI message as it arrived, kept whatever it says: applied to its file, or, for a file we never sent (or not an SdI
/// message at all), logged and kept here for an operator. Keyed by kind, file and SdI's message id, so a redelivery is one.
/// </summary>
public sealed class SdiAnswer
{
    public string Id { get; set; } = "";
    public string Kind { get; set; } = "";
    public string FileName { get; set; } = "";
    public string Xml { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>null until handled; then applied, echo (a duplicate copy's NS), or unknown_file.</summary>
    public string? Outcome { get; set; }
}

/// <summary>Apply a recorded answer to its file (after the transaction that recorded it commits).</summary>
public sealed record ApplySdiAnswer(string AnswerId);

public static class SdiAnswers
{
    /// <summary>Records the message and queues its application, in the caller's transaction; false when it was recorded before.</summary>
    public static async Task<bool> RecordAsync(IDocumentSession session, SdiMessage message, byte[] xml, DateTimeOffset now, OutgoingMessages messages,
        CancellationToken cancellation)
    {
        var id = $"{message.Kind}:{message.FileName}:{(message.MessageId.Length > 0 ? message.MessageId : Convert.ToHexString(SHA256.HashData(xml))[..16])}";
        if (await session.LoadAsync<SdiAnswer>(id, cancellation) is not null) return false;
        session.Insert(new SdiAnswer { Id = id, Kind = message.Kind, FileName = message.FileName, Xml = Encoding.UTF8.GetString(xml), ReceivedAt = now });
        messages.Add(new ApplySdiAnswer(id));
        return true;
    }
}

/// <summary>
/// SdI's answers as the PEC mailbox's forwarding or an intermediary posts them: the XML file SdI attached (RC, MC, NS …),
/// with the bearer token of Billing:Sdi:WebhookToken. A 2xx means it is recorded (then applied from the durable inbox);
/// anything readable as XML is kept, an answer for a file we do not know included.
/// </summary>
public static class SdiWebhookEndpoint
{
    public const int MaxBody = 1024 * 1024;

    [WolverinePost("/webhooks/sdi"), AllowAnonymous, Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryToken(false)]
    public static async Task<IResult> Receive(HttpContext context, IOptions<SdiOptions> options, IDocumentSession session, IMessageBus bus, TimeProvider clock,
        ILogger<SdiAnswer> logger)
    {
        if (IntegrationToken.Refusal(context, options.Value.WebhookToken, logger, "SdI answer") is { } refused) return refused;
        var bytes = await RequestBody.ReadAsync(context.Request, MaxBody, context.RequestAborted);
        if (bytes is null) return Results.Json(new { error = "too_large" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        SdiMessage? message;
        try
        {
            message = SdiMessages.Read(bytes);
        }
        catch (XmlException)
        {
            return Results.Json(new { error = "not_xml" }, statusCode: StatusCodes.Status400BadRequest);
        }
        // XML naming no file is still kept, under its own digest, for an operator to read.
        message ??= new SdiMessage("unreadable", "", "", "", []);
        var messages = new OutgoingMessages();
        var recorded = await SdiAnswers.RecordAsync(session, message, bytes, clock.GetUtcNow(), messages, context.RequestAborted);
        foreach (var outgoing in messages) await bus.PublishAsync(outgoing);
        try
        {
            await session.SaveChangesAsync(context.RequestAborted);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            recorded = false; // the same answer posted twice at once: the other copy is recorded
        }
        return Results.Json(new { received = true, duplicate = !recorded });
    }
}

/// <summary>The sandbox's answer comes in where SdI's do: recorded, then applied.</summary>
public static class SandboxSdiAnswerHandler
{
    public static async Task<OutgoingMessages> Handle(SandboxSdiAnswer answer, IDocumentSession session, TimeProvider clock, CancellationToken cancellation)
    {
        var messages = new OutgoingMessages();
        var bytes = Encoding.UTF8.GetBytes(answer.Xml);
        await SdiAnswers.RecordAsync(session, SdiMessages.Read(bytes)!, bytes, clock.GetUtcNow(), messages, cancellation);
        return messages;
    }
}

/// <summary>
/// Moves a file's state by SdI's answer: RC delivered, MC available in the buyer's reserved area, NS rejected with its
/// errors — which alerts the operators (an error in the log, the mysign_sdi_answers metric, `invoices --state rejected`).
/// The answer is kept with what it did; one for a file we never made is logged and kept, never dropped.
/// </summary>
public static class ApplySdiAnswerHandler
{
    public static async Task Handle(ApplySdiAnswer command, IDocumentSession session, TimeProvider clock, ILogger<SdiAnswer> logger, CancellationToken cancellation)
    {
        var answer = await session.LoadAsync<SdiAnswer>(command.AnswerId, cancellation);
        if (answer is not { Outcome: null }) return;
        session.Store(answer);
        var entry = answer.FileName.Length > 0 ? await session.LoadAsync<SdiFileEntry>(answer.FileName, cancellation) : null;
        var order = entry is null ? null : await session.LoadAsync<Order>(entry.OrderId, cancellation);
        if (order?.FindFile(answer.FileName) is not { } found || SdiMessages.Read(Encoding.UTF8.GetBytes(answer.Xml)) is not { } message)
        {
            answer.Outcome = "unknown_file";
            Count("unknown");
            logger.LogWarning("SdI answer {AnswerId} ({Kind}) names a file we did not send ({File}): kept for an operator", answer.Id, answer.Kind, answer.FileName);
            return;
        }
        var (document, file) = found;
        if (message.IsDuplicateEcho && file.State != SdiState.Queued)
        {
            answer.Outcome = "echo";
            logger.LogInformation("SdI refused a second copy of {File} (00002): the first copy stands", file.Name);
            return;
        }
        file.State = message.Kind switch { "RC" => SdiState.Delivered, "MC" => SdiState.Available, "NS" => SdiState.Rejected, _ => file.State };
        file.SdiId ??= message.SdiId;
        file.AnsweredAt = clock.GetUtcNow();
        if (message.Kind == "NS") file.Errors = [.. message.Errors];
        if (ReferenceEquals(document.Latest(), file)) document.State = file.State;
        session.Store(order);
        answer.Outcome = "applied";
        Count(file.State.ToString().ToLowerInvariant());
        if (file.State == SdiState.Rejected)
            logger.LogError("SdI rejected {Kind} {Number} (file {File}): {Errors}. Operators: `invoices --state rejected`, correct it with `invoices-resend {Number}`",
                document.Kind, document.Number, file.Name, string.Join("; ", message.Errors.Select(e => $"{e.Code} {e.Description}")), document.Number);
        else
            logger.LogInformation("SdI answered {Answer} for {Kind} {Number} (file {File})", message.Kind, document.Kind, document.Number, file.Name);
    }

    private static void Count(string kind) => MySign.Kernel.Operations.Telemetry.SdiAnswers.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
