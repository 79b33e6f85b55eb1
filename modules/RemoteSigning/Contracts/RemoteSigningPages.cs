namespace MySign.RemoteSigning.Contracts;

/// <summary>The RemoteSigning pages other modules may send a holder to (they hard-code none of its addresses).</summary>
public static class RemoteSigningPages
{
    /// <summary>Sign a document in the portal (PIN + OTP).</summary>
    public const string SignDocument = "/sign";
}
