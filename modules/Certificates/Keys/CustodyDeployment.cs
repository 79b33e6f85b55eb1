namespace MySign.Certificates.Keys;

/// <summary>
/// This deployment's name in the token: every object it makes there is labelled under <see cref="Prefix"/>, so deployments
/// that share a token (the tests' databases on one SoftHSM2 token, a staging beside production on one HSM partition) never
/// see each other's keys, and taking one down removes exactly its own. Made once, at the first start; the only document.
/// </summary>
public sealed class CustodyDeployment
{
    public const string Key = "deployment";
    public string Id { get; set; } = Key;
    public string Prefix { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
