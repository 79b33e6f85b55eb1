namespace MySign.Renewal.Contracts;

/// <summary>
/// A holder's renewal was completed: a new certificate (new IUT, valid until NotAfter) replaces the old one. Accounts
/// tells the holder by e-mail, in the language the renewal was done in.
/// </summary>
public sealed record RenewalCompleted(string HolderId, Guid RenewalId, string NewUniqueIdentifier, DateTimeOffset NotAfter, DateTimeOffset At, string Language);
