using Npgsql;
using Weasel.Postgresql;

namespace MySign.Kernel.Data;

/// <summary>
/// Identifiers people read (User IDs, IUTs) drawn from a PostgreSQL sequence: unique under any number of
/// concurrent requests and app nodes, never handed out twice even when the transaction that drew one rolls back.
/// The number is scrambled by a bijection so consecutive registrations do not get guessable neighbours.
/// </summary>
public static class Sequences
{
    public static Sequence Define(string schema, string name) =>
        new(new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General));

    public static async Task<long> NextAsync(NpgsqlDataSource database, string schema, string name, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select nextval('{schema}.{name}')");
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>A bijection on [0, modulus): the multiplier is coprime with powers of ten, so no two n collide.</summary>
    public static long Scramble(long n, long modulus) => (n % modulus * 7_919 + 104_729) % modulus;
}
