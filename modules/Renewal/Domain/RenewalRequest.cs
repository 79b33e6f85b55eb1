namespace MySign.Renewal.Domain;

public static class RenewalPaths
{
    public const string Store = "store";
    public const string Coupon = "coupon";
    public const string Rao = "rao";
    public static readonly string[] All = [Store, Coupon, Rao];
}

/// <summary>The wizard's steps, in order. A request only ever moves forward one step, or to Cancelled.</summary>
public enum RenewalStep { Consents, ConfirmOperation, Payment, Activate, ConfirmActivation, Done, Cancelled }

/// <summary>
/// One renewal in progress: the server-side state of the five-step wizard. Versioned (optimistic concurrency),
/// so a step submitted twice at once advances once. Nothing secret is kept but the new PIN between its
/// entry and the final OTP, sealed by data protection, cleared when the renewal ends.
/// </summary>
public sealed class RenewalRequest : MySign.Kernel.Documents.IHolderOwned
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string Path { get; set; } = "";
    public RenewalStep Step { get; set; }
    public Guid CertificateId { get; set; }
    public string UniqueIdentifier { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
    public Guid? ChallengeId { get; set; }
    /// <summary>Where the last code went (its channel, and the masked phone an SMS went to), so the step says it again after a wrong code.</summary>
    public MySign.Otp.Contracts.ReceptionMode? OtpChannel { get; set; }
    public string? OtpDestination { get; set; }
    public string? CouponCode { get; set; }
    public Guid? OrderId { get; set; }
    /// <summary>The order's page in the store (from RenewalOrderOpened).</summary>
    public string? OrderPath { get; set; }
    public string? AuthorisedBy { get; set; }
    public string? ProtectedPin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? NewUniqueIdentifier { get; set; }
    /// <summary>The holder chose to finish later after the RAO desk: the next sign-in opens this renewal.</summary>
    public bool FinishLater { get; set; }

    public bool InProgress => Step is not (RenewalStep.Done or RenewalStep.Cancelled);

    /// <summary>A copy to change: a decision never modifies the state it was asked about.</summary>
    public RenewalRequest Copy() => (RenewalRequest)MemberwiseClone();
}
