namespace MySign.Accounts.Domain;

/// <summary>An identity document the RAO operator checked at the desk before helping the holder, and why. Kept as evidence.</summary>
public sealed class IdentityCheck
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string Operator { get; set; } = "";
    public string Office { get; set; } = "";
    public string DocumentType { get; set; } = "";
    public string DocumentNumber { get; set; } = "";
    public DateOnly DocumentExpiry { get; set; }
    public string Action { get; set; } = "";
    public DateTimeOffset At { get; set; }
}
