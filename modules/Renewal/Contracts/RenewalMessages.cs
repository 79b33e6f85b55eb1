namespace MySign.Renewal.Contracts;

/// <summary>A holder's renewal was completed (a new certificate replaces the old one).</summary>
public sealed record RenewalCompleted(string HolderId, Guid RenewalId, DateTimeOffset At);
