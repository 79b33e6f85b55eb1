using System.Net.Sockets;
using Npgsql;

namespace MySign.Kernel.Web;

/// <summary>
/// Whether a failure means "the database cannot be reached right now" (PostgreSQL down, restarting, refusing
/// connections, or the pool timing out on it): then callers are told 503 with Retry-After, because nothing was
/// saved half-way and the same request will work when it is back.
/// </summary>
public static class Outage
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public static bool IsDatabase(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03":
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                case NpgsqlException npgsql when npgsql.IsTransient && e is not PostgresException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsDatabase):
                    return true;
            }
        }
        return false;
    }
}
