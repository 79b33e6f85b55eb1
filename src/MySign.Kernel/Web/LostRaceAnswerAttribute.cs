namespace MySign.Kernel.Web;

/// <summary>
/// What an API endpoint answers when its save loses an optimistic-concurrency race (the host's 409 policy otherwise
/// answers the generic "changed meanwhile: nothing was done" page): the endpoint's own error, as its protocol names a double use.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LostRaceAnswerAttribute(string error, string description, int status) : Attribute
{
    public string Error { get; } = error;
    public string Description { get; } = description;
    public int Status { get; } = status;
}

/// <summary>
/// The words of the 409 page for a form whose save can lose its race after something was already done elsewhere (the
/// generic page says nothing was done): its title and text, resource keys of the endpoint's module.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LostRacePageAttribute(string titleKey, string textKey) : Attribute
{
    public string TitleKey { get; } = titleKey;
    public string TextKey { get; } = textKey;
}
