using Marten;
using MySign.Kernel.Data;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace MySign.Billing.Invoicing;

/// <summary>
/// Invoice numbers as Italian numbering expects them: per series and year, from 1, consecutive with no gap and no repeat
/// however many nodes issue at once. A PostgreSQL sequence would not do (a number drawn by a transaction that rolls
/// back is lost): each series-year is a row whose counter is raised inside the transaction that issues the document,
/// so the row stays locked until that transaction commits, and a rollback gives the number back. The SdI files'
/// progressives only need to be unique, so they come from a sequence.
/// </summary>
public static class FiscalNumbers
{
    public const string Invoices = "", CreditNotes = "NC";
    public static readonly Table Counters = Define();
    public static readonly Sequence Progressives = Sequences.Define(BillingModule.Schema, "sdi_progressive");

    private static Table Define()
    {
        var table = new Table(new PostgresqlObjectName(BillingModule.Schema, "fiscal_numbers", Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn("series", "text").AsPrimaryKey();
        table.AddColumn("year", "integer").AsPrimaryKey();
        table.AddColumn("last", "integer").NotNull();
        return table;
    }

    /// <summary>The next number of the series in <paramref name="year"/>, in the session's transaction (begun here if it was not).</summary>
    public static async Task<int> NextAsync(IDocumentSession session, string series, int year, CancellationToken cancellation)
    {
        await session.BeginTransactionAsync(cancellation);
        await using var command = new NpgsqlCommand(
            $"insert into {BillingModule.Schema}.fiscal_numbers as n (series, year, last) values ($1, $2, 1) " +
            "on conflict (series, year) do update set last = n.last + 1 returning last", (NpgsqlConnection)session.Connection!);
        command.Parameters.Add(new NpgsqlParameter { Value = series });
        command.Parameters.Add(new NpgsqlParameter { Value = year });
        return (int)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>A progressive never used before: up to five letters and digits, as the file name allows.</summary>
    public static async Task<string> NextProgressiveAsync(IDocumentSession session, CancellationToken cancellation)
    {
        await session.BeginTransactionAsync(cancellation);
        await using var command = new NpgsqlCommand($"select nextval('{BillingModule.Schema}.sdi_progressive')", (NpgsqlConnection)session.Connection!);
        var n = (long)(await command.ExecuteScalarAsync(cancellation))!;
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var text = new char[5];
        for (var i = 4; i >= 0; i--, n /= 36) text[i] = digits[(int)(n % 36)];
        return new string(text);
    }
}
