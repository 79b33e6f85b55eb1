using MySign.Kernel.Data;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace MySign.Certificates.Custody;

/// <summary>The doors through which a holder's key is reached, as the activation audit names them.</summary>
public static class Door
{
    public const string Issue = "issue", SignDocument = "sign-document", PinChange = "pin-change", Renewal = "renewal", StatusChange = "status-change",
        EmergencyCode = "emergency-code", CscAuthorize = "csc-authorize", OAuthConsent = "oauth-consent", SignHash = "csc-signhash", SignDoc = "csc-signdoc",
        Extend = "csc-extend", RaoNewPin = "rao-new-pin";
}

/// <summary>
/// Every activation of a holder's key, its own table (EN 419 241-1: the SAM logs each use): when, whose, through which door,
/// which factors were presented, how many hashes, what came of it and in which form the key was. Written on its own
/// connection, outside the request's transaction, so a refusal or a request that later fails is recorded all the same.
/// Never a PIN, OTP, SAD or hash value.
/// </summary>
public sealed class ActivationAudit(NpgsqlDataSource database)
{
    public static readonly Table Table = Define();

    private static Table Define()
    {
        var table = new Table(new PostgresqlObjectName(CertificatesModule.Schema, "sam_activations", SchemaUtils.IdentifierUsage.General));
        table.AddColumn("id", "uuid").AsPrimaryKey();
        table.AddColumn("at", "timestamp with time zone").NotNull();
        table.AddColumn("holder_id", "text").NotNull();
        table.AddColumn("certificate_id", "uuid");
        table.AddColumn("door", "text").NotNull();
        table.AddColumn("factors", "text").NotNull();
        table.AddColumn("hashes", "integer").NotNull();
        table.AddColumn("outcome", "text").NotNull();
        table.AddColumn("key_form", "text");
        table.Indexes.Add(new IndexDefinition("ix_sam_activations_holder") { Columns = ["holder_id", "at"] });
        return table;
    }

    public sealed record Entry(string HolderId, Guid? CertificateId, string Door, string Factors, int Hashes, string Outcome, string? KeyForm);

    public async Task RecordAsync(Entry entry, DateTimeOffset at, CancellationToken cancellation)
    {
        await using var command = Sql.Command(database,
            $"insert into {Table.Identifier} (id, at, holder_id, certificate_id, door, factors, hashes, outcome, key_form) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            Guid.CreateVersion7(at), at, entry.HolderId, entry.CertificateId, entry.Door, entry.Factors, entry.Hashes, entry.Outcome, entry.KeyForm);
        // The audit must not be lost to the caller's hang-up once the key was used.
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
