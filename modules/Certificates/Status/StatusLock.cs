using Marten;
using MySign.Certificates.Domain;
using Npgsql;

namespace MySign.Certificates.Status;

/// <summary>
/// One status change at a time per certificate, and only from the state it was decided on. The holder's row is locked in the
/// change's own transaction until it commits; a change committed meanwhile (another tab, the emergency code, "this wasn't me",
/// the scheduled reactivation) ends this one as a lost race — the 409 page, or a handler's retry that reads again — before
/// the CA is asked anything. Without it, a revocation and a reactivation confirmed together both applied: the CA kept the
/// revocation and the portal said active (and signed).
/// </summary>
internal static class StatusLock
{
    private static readonly string Sql =
        $"select (data->>'Status')::int, data->>'StatusChangedAt', data->>'CertificateId' from {CertificatesModule.Schema}.mt_doc_holdercertificate where id = $1 for update";

    public static async Task HoldAsync(IDocumentSession session, HolderCertificate decidedOn, CancellationToken cancellation)
    {
        await session.BeginTransactionAsync(cancellation);
        await using var command = new NpgsqlCommand(Sql, session.Connection) { Parameters = { new() { Value = decidedOn.Id } } };
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var same = await reader.ReadAsync(cancellation)
                   && reader.GetInt32(0) == (int)decidedOn.Status
                   && (reader.IsDBNull(1) ? null : DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture)) == decidedOn.StatusChangedAt
                   && reader.GetString(2) == decidedOn.CertificateId.ToString();
        if (!same) throw new JasperFx.ConcurrencyException($"The status of {decidedOn.Id}'s certificate changed while this change was being confirmed", null!);
    }
}
