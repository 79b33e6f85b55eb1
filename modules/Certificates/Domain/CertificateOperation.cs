using MySign.Certificates.Contracts;

namespace MySign.Certificates.Domain;

/// <summary>
/// One operation on a holder's certificates, for the RAO console's list of what happened: only ever inserted, one document
/// per operation, written in the same transaction as the change (the PIN block on its own, as its count is). What:
/// issued, renewed, rekeyed, suspended, reactivated, revoked, pin_blocked, pin_changed. Door: where a status change came
/// from (portal, emergency_code, not_me, rao_desk, automatic_end). Detail: the new certificate's IUT, or the reason.
/// </summary>
public sealed class CertificateOperation
{
    public Guid Id { get; set; }
    public string HolderId { get; set; } = "";
    public string What { get; set; } = "";
    public string? Door { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset At { get; set; }

    public static CertificateOperation Of(string holderId, string what, DateTimeOffset at, string? door = null, string? detail = null) =>
        new() { Id = Guid.CreateVersion7(at), HolderId = holderId, What = what, Door = door, Detail = detail, At = at };

    /// <summary>The door as the list stores it and its words' key ends: portal, emergency_code, not_me, rao_desk, automatic_end.</summary>
    public static string DoorKey(CertificateDoor door) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(door.ToString());
}
