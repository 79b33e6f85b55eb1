namespace MySign.Billing.Invoicing;

/// <summary>Where a file is with the Sistema di Interscambio.</summary>
public enum SdiState
{
    /// <summary>Made, not yet handed to the channel.</summary>
    Queued,
    /// <summary>Handed to SdI; no answer yet.</summary>
    Sent,
    /// <summary>RC (ricevuta di consegna): delivered to the buyer's channel.</summary>
    Delivered,
    /// <summary>MC (mancata consegna): accepted, but no channel to deliver to; the buyer finds it in their reserved area.</summary>
    Available,
    /// <summary>NS (notifica di scarto): rejected, not issued; the operators correct and send it again.</summary>
    Rejected,
}

/// <summary>
/// An invoice (TD01) or a credit note (TD04) as issued for an order: its number, date and totals, and every file sent
/// to SdI for it, each the frozen copy of what was sent (a rejected file is kept beside its correction).
/// </summary>
public sealed class FiscalDocument
{
    public const string Invoice = "TD01", CreditNote = "TD04";

    public string Kind { get; set; } = Invoice;
    public string Number { get; set; } = "";
    public DateOnly Date { get; set; }
    public decimal Net { get; set; }
    public decimal Vat { get; set; }
    public decimal Gross { get; set; }
    /// <summary>For a credit note, the invoice it corrects (DatiFattureCollegate).</summary>
    public string? RelatedNumber { get; set; }
    public DateOnly? RelatedDate { get; set; }
    public List<SdiFile> Files { get; set; } = [];
    /// <summary>The state of the file sent last, kept beside the files so operators can query it.</summary>
    public SdiState State { get; set; }

    /// <summary>The file that stands for this document now: the last one made.</summary>
    public SdiFile Latest() => Files[^1];

    public SdiFile? File(string name) => Files.FirstOrDefault(f => f.Name == name);
}

/// <summary>One file sent to SdI: name, progressive, the XML exactly as sent, and what SdI answered.</summary>
public sealed class SdiFile
{
    public string Name { get; set; } = "";
    public string Progressive { get; set; } = "";
    public string Xml { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public SdiState State { get; set; }
    /// <summary>SdI's identifier of the file (IdentificativoSdI), from its first answer.</summary>
    public string? SdiId { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public List<SdiError> Errors { get; set; } = [];
    /// <summary>What an operator corrected to make this file (after the one before it was rejected).</summary>
    public string? Correction { get; set; }
}

public sealed record SdiError(string Code, string Description);

/// <summary>
/// Every file made, by name: how an answer from SdI finds its order, and the queue of files still to send (a file is
/// queued in the same transaction as its document, and sent by the channel right after, or by the sweep that retries).
/// </summary>
public sealed class SdiFileEntry
{
    public string Id { get; set; } = "";
    public Guid OrderId { get; set; }
    public bool Sent { get; set; }
    /// <summary>When the sweep sends it if nothing else has: soon after a commit whose own send may still be on its way; at once for an operator's correction.</summary>
    public DateTimeOffset DueAt { get; set; }
}
