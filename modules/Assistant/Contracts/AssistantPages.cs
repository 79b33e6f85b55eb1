namespace MySign.Assistant.Contracts;

/// <summary>The Assistant pages other modules may send a visitor to (they hard-code none of its addresses).</summary>
public static class AssistantPages
{
    /// <summary>Trusty: questions and answers about activating, signing in and using MySign.</summary>
    public const string Trusty = "/trusty";
}
