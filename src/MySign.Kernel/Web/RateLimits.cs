namespace MySign.Kernel.Web;

/// <summary>Names of the per-address rate-limit policies (counted by the host in PostgreSQL, named by any module's endpoints).</summary>
public static class RateLimits
{
    /// <summary>Every door that takes a password: sign-ins, the CSC login, the RAO step of a renewal, store accounts.</summary>
    public const string Login = "login";
    public const string Recovery = "recovery";
    /// <summary>The emergency-code door: each try costs a slow hash, so an address gets a few a minute.</summary>
    public const string Emergency = "emergency";
    /// <summary>Trusty's questions: its own budget, so chatting never blocks a sign-in.</summary>
    public const string Assistant = "assistant";
}
