using Marten;
using MySign.Certificates.Domain;
using Npgsql;

namespace MySign.Certificates;

/// <summary>
/// A change of the holder's certificate decided on what was read, made only on that: the row is locked in the change's own
/// transaction until it commits, and a change committed meanwhile ends this one as a lost race (the 409 page, or a handler's
/// retry that reads again) before anything else is asked. A status change needs the same status and the same certificate (a
/// revocation and a reactivation confirmed together once both applied: the CA kept the revocation, the portal said active);
/// a PIN change, the same certificate (a renewal meanwhile made another). The same status includes a suspension's end date:
/// a reactivation at the end date read before an emergency took the date away must not reactivate. Each then writes only
/// its own facts of the document, so a status change and a PIN change confirmed together both hold.
/// </summary>
internal static class CertificateLock
{
    private static readonly string Sql =
        $"select (data->>'Status')::int, data->>'StatusChangedAt', data->>'CertificateId', data->>'SuspendedUntil' from {CertificatesModule.Schema}.mt_doc_holdercertificate where id = $1 for update";

    public static async Task HoldAsync(IDocumentSession session, HolderCertificate decidedOn, bool sameStatus, CancellationToken cancellation)
    {
        await session.BeginTransactionAsync(cancellation);
        await using var command = new NpgsqlCommand(Sql, session.Connection) { Parameters = { new() { Value = decidedOn.Id } } };
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var same = await reader.ReadAsync(cancellation)
                   && reader.GetString(2) == decidedOn.CertificateId.ToString()
                   && (!sameStatus || (reader.GetInt32(0) == (int)decidedOn.Status
                       && Moment(reader, 1) == decidedOn.StatusChangedAt && Moment(reader, 3) == decidedOn.SuspendedUntil));
        if (!same) throw new JasperFx.ConcurrencyException($"{decidedOn.Id}'s certificate changed while this change was being confirmed", null!);
    }

    /// <summary>The holder's certificate row, locked in the session's transaction until it commits, before it is read (the emergency's doors).</summary>
    public static async Task RowAsync(IDocumentSession session, string holderId, CancellationToken cancellation)
    {
        await session.BeginTransactionAsync(cancellation);
        await using var command = Kernel.Data.Sql.Command(session.Connection!, null,
            $"select 1 from {CertificatesModule.Schema}.mt_doc_holdercertificate where id = $1 for update", holderId);
        await command.ExecuteScalarAsync(cancellation);
    }

    private static DateTimeOffset? Moment(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : DateTimeOffset.Parse(reader.GetString(column), System.Globalization.CultureInfo.InvariantCulture);
}
