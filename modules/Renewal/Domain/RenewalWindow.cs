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
    public DateTimeOffset ExpiresAt { get; set; }
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
