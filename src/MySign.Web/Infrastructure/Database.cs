namespace MySign.Web.Infrastructure;

public static class Database
{
    /// <summary>
    /// ConnectionStrings:Postgres, or DATABASE_URL (postgres://user:pass@host:port/db, as fly.io provides it).
    /// `make run` / `make test` set one for the private local server.
    /// </summary>
    public static string ConnectionString(IConfiguration configuration) => Tune(Raw(configuration));

    /// <summary>
    /// Npgsql's automatic preparation: the portal runs the same few statements all the time, and
    /// server-side prepared statements spare PostgreSQL parsing and planning each one again.
    /// </summary>
    private static string Tune(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 100;
        return builder.ConnectionString;
    }

    private static string Raw(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString("Postgres");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var url = configuration["DATABASE_URL"];
        if (string.IsNullOrWhiteSpace(url))
            return "Host=127.0.0.1;Port=55432;Database=mysign;Username=mysign"; // the private server of `make run`
        var uri = new Uri(url);
        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432, Database = uri.AbsolutePath.Trim('/'),
            Username = Uri.UnescapeDataString(userInfo[0]),
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };
        return builder.ConnectionString;
    }

    /// <summary>Development and tests create/update the schema at start; production applies it as a release step (`db-apply`).</summary>
    public static bool AppliesSchemaOnStart(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue("Database:ApplyOnStart", !environment.IsProduction());
}
