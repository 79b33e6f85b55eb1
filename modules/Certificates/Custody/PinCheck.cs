using MySign.Certificates.Domain;
using MySign.Certificates.Pin;
using MySign.Kernel.Data;
using MySign.Kernel.Localization;
using Npgsql;

namespace MySign.Certificates.Custody;

public enum PinResult { Ok, Wrong, Blocked }

/// <summary>What a PIN attempt came to, and how many tries the PIN has left after it.</summary>
public readonly record struct PinOutcome(PinResult Result, int AttemptsLeft)
{
    public bool Ok => Result == PinResult.Ok;

    /// <summary>What a form says beside the PIN field, in the reader's language: wrong, with the attempts left before it is blocked, or blocked.</summary>
    public string Said => Result switch
    {
        PinResult.Blocked => Strings.T("pin.error.blocked"),
        _ when AttemptsLeft == 1 => Strings.T("pin.error.wrong_last"),
        _ => Strings.Format("pin.error.wrong_left", AttemptsLeft),
    };
}

/// <summary>
/// A PIN is right when it opens the sealed key. Every door that takes the PIN (portal forms, renewal, CSC, OAuth
/// consent, the emergency code) comes through here. The rule (ADR 0006): a PIN has five wrong tries in its life; a
/// right PIN clears none of them, so no interleaving of right and wrong PINs gives anyone a sixth; only a new PIN (a
/// PIN change confirmed with the OTP, a new certificate) or the RAO's unblock after an identity check starts the count
/// again. An attempt is reserved before the PIN is tried, by one conditional statement committed on its own: of any
/// number of parallel attempts at most five wrong ones ever reach the key. A right PIN then hands back only its own
/// reservation. While one is in flight it holds a slot, so an attempt that finds all five slots taken is refused as
/// blocked without being tried. Only the signature activation module asks it (<see cref="SignatureActivation"/>).
/// </summary>
public sealed class PinCheck(NpgsqlDataSource database, Marten.IDocumentStore store, TimeProvider clock)
{
    private static readonly string Table = $"{CertificatesModule.Schema}.mt_doc_pinattempts";
    private static readonly string Certificates = $"{CertificatesModule.Schema}.mt_doc_holdercertificate";
    private const string Wrong = "coalesce((t.data->>'Wrong')::int, 0)";

    /// <summary>The PIN tried on the sealed key under the rule: what it sealed (null unless the PIN is right), and the outcome.</summary>
    internal async Task<(PinOutcome Outcome, byte[]? Sealed)> OpenAsync(HolderCertificate certificate, string pin, byte[] serverSecret, CancellationToken cancellation)
    {
        if (certificate.Key is null) return (new(PinResult.Blocked, 0), null);
        if (await ReserveAsync(certificate, cancellation) is not { } counted) return (new(PinResult.Blocked, 0), null);
        var key = pin.Length is > 0 and <= 16 ? await Task.Run(() => KeyVault.Open(certificate.Key, pin, serverSecret), cancellation) : null;
        var left = HolderCertificate.MaxPinAttempts - counted;
        if (key is null)
        {
            // The attempt that blocks the PIN goes in the holder's operations, committed like the count: on its own.
            if (left == 0) await RecordBlockedAsync(certificate.Id, cancellation);
            return (new(left <= 0 ? PinResult.Blocked : PinResult.Wrong, Math.Max(0, left)), null);
        }
        return (new(PinResult.Ok, HolderCertificate.MaxPinAttempts - await HandBackAsync(certificate, cancellation)), key);
    }

    private async Task RecordBlockedAsync(string holderId, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        session.Insert(CertificateOperation.Of(holderId, "pin_blocked", clock.GetUtcNow()));
        await session.SaveChangesAsync(cancellation);
    }

    /// <summary>
    /// Counts one attempt against the certificate if fewer than five are counted (a count kept for an earlier certificate
    /// starts again at one); the new count, or null when none is left.
    /// </summary>
    private async Task<int?> ReserveAsync(HolderCertificate certificate, CancellationToken cancellation)
    {
        // The first count for a holder starts from what the certificate document counted before PinAttempts existed.
        await using var command = Sql.Command(database,
            $"insert into {Table} as t (id, data, mt_dotnet_type) " +
            $"select $1, jsonb_build_object('Id', $1, 'CertificateId', $2, 'Wrong', legacy + 1), $3 from (select coalesce((select (c.data->>'WrongPinAttempts')::int " +
            $"from {Certificates} c where c.id = $1 and c.data->>'CertificateId' = $2), 0) as legacy) l " +
            $"where legacy < {HolderCertificate.MaxPinAttempts} or exists (select 1 from {Table} where id = $1) " +
            $"on conflict (id) do update set data = jsonb_build_object('Id', $1, 'CertificateId', $2, 'Wrong', " +
            $"case when t.data->>'CertificateId' = $2 then {Wrong} + 1 else 1 end), " +
            "mt_version = md5(random()::text || clock_timestamp()::text)::uuid, mt_last_modified = transaction_timestamp() " +
            $"where t.data->>'CertificateId' is distinct from $2 or {Wrong} < {HolderCertificate.MaxPinAttempts} " +
            "returning (data->>'Wrong')::int", certificate.Id, certificate.CertificateId.ToString(), typeof(PinAttempts).FullName);
        return await command.ExecuteScalarAsync(cancellation) is int count ? count : null;
    }

    /// <summary>The right PIN hands back its own reservation and nothing more; the count after it.</summary>
    private async Task<int> HandBackAsync(HolderCertificate certificate, CancellationToken cancellation)
    {
        await using var command = Sql.Command(database,
            $"update {Table} as t set data = jsonb_set(t.data, '{{Wrong}}', to_jsonb(greatest({Wrong} - 1, 0))), " +
            "mt_version = md5(random()::text || clock_timestamp()::text)::uuid, mt_last_modified = transaction_timestamp() " +
            "where t.id = $1 and t.data->>'CertificateId' = $2 returning (data->>'Wrong')::int", certificate.Id, certificate.CertificateId.ToString());
        return await command.ExecuteScalarAsync(cancellation) is int count ? count : 0;
    }
}
