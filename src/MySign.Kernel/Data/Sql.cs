using Npgsql;

namespace MySign.Kernel.Data;

/// <summary>A statement with positional parameters ($1, $2…) in one call: the values in order, a null sent as SQL NULL.</summary>
public static class Sql
{
    public static NpgsqlCommand Command(NpgsqlDataSource database, string sql, params object?[] values) => With(database.CreateCommand(sql), values);

    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values) =>
        With(new NpgsqlCommand(sql, connection, transaction), values);

    private static NpgsqlCommand With(NpgsqlCommand command, object?[] values)
    {
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }
}
