using MySign.Certificates.Domain;
using MySign.Certificates.Issuance;
using MySign.Certificates.Keys;
using Npgsql;

namespace MySign.Certificates.Pin;

public enum PinResult { Ok, Wrong, Blocked }

/// <summary>
/// A PIN is right when it opens the sealed key. Every door that takes the PIN (portal forms, renewal, CSC) comes
/// through here. An attempt is counted before the PIN is tried, by one conditional update committed on its own
/// (not in the caller's transaction): of any number of parallel attempts at most five ever reach the key, the
/// fifth wrong one blocks the PIN, and a right PIN gives back only the attempts counted before it, never those of
/// requests still in flight. Unblocked only by the RAO or a renewal (a new certificate starts at zero).
/// </summary>
public sealed class PinCheck(Issuer issuer, NpgsqlDataSource database, Marten.IDocumentStore store, TimeProvider clock)
{
    private static readonly string Table = $"{CertificatesModule.Schema}.mt_doc_holdercertificate";
    private const string Count = "coalesce((data->>'WrongPinAttempts')::int, 0)";

    public async Task<(PinResult Result, byte[]? Pkcs8)> OpenAsync(HolderCertificate certificate, string pin, CancellationToken cancellation)
    {
        if (certificate.Key is null) return (PinResult.Blocked, null);
        if (await ReserveAsync(certificate.Id, cancellation) is not { } counted)
        {
            certificate.WrongPinAttempts = HolderCertificate.MaxPinAttempts;
            return (PinResult.Blocked, null);
        }
        var key = pin.Length is > 0 and <= 16 ? await Task.Run(() => KeyVault.Open(certificate.Key, pin, issuer.KeySecret), cancellation) : null;
        if (key is null)
        {
            // The attempt that blocks the PIN goes in the holder's operations, committed like the count: on its own.
            if (counted == HolderCertificate.MaxPinAttempts) await RecordBlockedAsync(certificate.Id, cancellation);
            certificate.WrongPinAttempts = counted;
            return (counted >= HolderCertificate.MaxPinAttempts ? PinResult.Blocked : PinResult.Wrong, null);
        }
        certificate.WrongPinAttempts = await GiveBackAsync(certificate.Id, counted, cancellation);
        return (PinResult.Ok, key);
    }

    public static string ErrorKey(PinResult result) => result == PinResult.Blocked ? "pin.error.blocked" : "pin.error.wrong";

    private async Task RecordBlockedAsync(string holderId, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        session.Insert(CertificateOperation.Of(holderId, "pin_blocked", clock.GetUtcNow()));
        await session.SaveChangesAsync(cancellation);
    }

    /// <summary>Counts one attempt if fewer than the maximum were counted; the new count, or null when the PIN is blocked.</summary>
    private async Task<int?> ReserveAsync(string holderId, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"update {Table} set data = jsonb_set(data, '{{WrongPinAttempts}}', to_jsonb({Count} + 1)) " +
            $"where id = $1 and {Count} < {HolderCertificate.MaxPinAttempts} returning {Count}");
        command.Parameters.Add(new NpgsqlParameter { Value = holderId });
        return await command.ExecuteScalarAsync(cancellation) is int count ? count : null;
    }

    /// <summary>The right PIN clears this attempt and the ones counted before it; attempts counted since stay.</summary>
    private async Task<int> GiveBackAsync(string holderId, int counted, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(
            $"update {Table} set data = jsonb_set(data, '{{WrongPinAttempts}}', to_jsonb(greatest({Count} - $2, 0))) where id = $1 returning {Count}");
        command.Parameters.Add(new NpgsqlParameter { Value = holderId });
        command.Parameters.Add(new NpgsqlParameter { Value = counted });
        return await command.ExecuteScalarAsync(cancellation) is int count ? count : 0;
    }
}
