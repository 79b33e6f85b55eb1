namespace MySign.Kernel.Operations;

/// <summary>
/// A party the portal talks to (an SMS operator, a provider) did not answer, or answered "not now": worth trying again later.
/// The host's retry policy matches it, so a message that meets it waits and is tried again rather than going to the dead letters.
/// </summary>
public sealed class PartyAwayException(string message, Exception? inner = null) : Exception(message, inner);
