namespace MySign.History.Contracts;

public enum SignatureChannel { Portal, Api, Automatic }

/// <summary>A signature was made with a holder's certificate. History files it; the signer does not wait for that.</summary>
public sealed record SignatureMade(
    Guid SignatureId, string HolderId, Guid CertificateId, DateTimeOffset At,
    string DocumentName, string HashAlgorithm, bool Succeeded, SignatureChannel Channel);
