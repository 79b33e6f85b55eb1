using MySign.Certificates.Contracts;

namespace MySign.Renewal.Domain;

/// <summary>
/// What Renewal keeps of a holder's current certificate (from Certificates' CertificateIssued), so its box
/// never reads the Certificates module's documents. Id is the holder's User ID.
/// </summary>
public sealed class RenewableCertificate
{
    public string Id { get; set; } = "";
    public Guid CertificateId { get; set; }
    public string UniqueIdentifier { get; set; } = "";
    /// <summary>When the certificate became valid: a fact about an older certificate never replaces a newer one.</summary>
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>"active", "suspended" or "revoked", as Certificates last said (CertificateStatusChanged).</summary>
    public string Status { get; set; } = "active";
    public DateTimeOffset StatusAt { get; set; }

    /// <summary>Only an active certificate is renewed: a suspended one is reactivated first, a revoked one replaced.</summary>
    public bool Renewable => Status == "active";

    /// <summary>Certificates issued a certificate: it becomes the one to renew, unless this one is newer (facts may arrive out of order).</summary>
    public static RenewableCertificate? Apply(RenewableCertificate? known, CertificateIssued issued) =>
        CertificateFacts.After(known?.Facts, issued) is { } next ? From(issued.HolderId, next) : null;

    /// <summary>The certificate's status changed: kept when it is about this certificate and newer than what is known.</summary>
    public RenewableCertificate? Apply(CertificateStatusChanged changed) => Facts.After(changed) is { } next ? From(Id, next) : null;

    private CertificateFacts Facts => new(CertificateId, UniqueIdentifier, IssuedAt, ExpiresAt, Status, StatusAt);

    private static RenewableCertificate From(string holderId, CertificateFacts facts) => new()
    {
        Id = holderId, CertificateId = facts.CertificateId, UniqueIdentifier = facts.UniqueIdentifier, IssuedAt = facts.IssuedAt, ExpiresAt = facts.ExpiresAt,
        Status = facts.Status, StatusAt = facts.StatusAt,
    };
}

public enum WindowState { NotYetOpen, Open, Expired }

/// <summary>Renewal opens three calendar months before expiry (in Italian time) and closes at expiry.</summary>
public sealed record RenewalWindow(DateTimeOffset ExpiresAt, DateTimeOffset OpensAt, WindowState State, int DaysLeft)
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome");

    public static RenewalWindow For(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var localExpiry = TimeZoneInfo.ConvertTime(expiresAt, Zone);
        var opensLocal = localExpiry.AddMonths(-3);
        var opensAt = new DateTimeOffset(opensLocal.DateTime, Zone.GetUtcOffset(opensLocal.DateTime));
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).DateTime);
        var daysLeft = Math.Max(0, DateOnly.FromDateTime(localExpiry.DateTime).DayNumber - today.DayNumber);
        var state = now >= expiresAt ? WindowState.Expired : now >= opensAt ? WindowState.Open : WindowState.NotYetOpen;
        return new RenewalWindow(expiresAt, opensAt, state, daysLeft);
    }
}
