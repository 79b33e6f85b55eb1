using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace MySign.Web.Infrastructure;

public static class Logging
{
    public static void Configure(HostBuilderContext context, IServiceProvider services, LoggerConfiguration logging)
    {
        // Sinks registered as services as well (the tests' watch on what is logged as an error).
        logging.ReadFrom.Services(services);
        logging
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Extensions.Http", LogEventLevel.Warning)
            .MinimumLevel.Override("Wolverine", LogEventLevel.Warning)
            .MinimumLevel.Override("Marten", LogEventLevel.Warning)
            .MinimumLevel.Override("Npgsql", LogEventLevel.Warning)
            .MinimumLevel.Override("JasperFx", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("App", "MySign");
        var level = context.Configuration.GetValue("Logging:Serilog:MinimumLevel", LogEventLevel.Information);
        logging.MinimumLevel.Is(level);
        if (context.HostingEnvironment.IsProduction()) logging.WriteTo.Console(new CompactJsonFormatter());
        else logging.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {CorrelationId}{NewLine}{Exception}");
    }

    /// <summary>
    /// One line per request: method, path (never the query string, which may carry a token), the status the client got,
    /// time. A 503 (the database away, the client told to retry) is a warning; only other 5xx are errors.
    /// </summary>
    public static void ConfigureRequestLogging(Serilog.AspNetCore.RequestLoggingOptions options)
    {
        options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
        options.GetLevel = (http, _, exception) =>
            http.Response.StatusCode == StatusCodes.Status503ServiceUnavailable ? LogEventLevel.Warning
            : exception is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
            : http.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Verbose : LogEventLevel.Information;
    }
}
