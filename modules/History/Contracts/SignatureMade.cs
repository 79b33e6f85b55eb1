namespace MySign.History.Contracts;

public enum SignatureChannel { Portal, Api, Automatic }

/// <summary>A signature was made with a holder's certificate. History files it; the signer does not wait for that.</summary>
public sealed record SignatureMade(
    Guid SignatureId, string HolderId, Guid CertificateId, DateTimeOffset At,
    string DocumentName, string HashAlgorithm, bool Succeeded, SignatureChannel Channel);

/// <summary>
/// A batch of signatures made in one call (CSC signHash/signDoc): one message, filed with one round trip and one counter
/// update, however many hashes the batch had.
/// </summary>
public sealed record SignaturesMade(
    string HolderId, Guid CertificateId, DateTimeOffset At, string HashAlgorithm, SignatureChannel Channel, IReadOnlyList<MadeSignature> Signatures);

/// <summary>One signature of a <see cref="SignaturesMade"/> batch.</summary>
public sealed record MadeSignature(Guid SignatureId, string DocumentName);
