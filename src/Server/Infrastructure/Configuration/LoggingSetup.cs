using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace AstralytiQ.Server.Infrastructure.Configuration;

public static class LoggingSetup
{
    /// <summary>
    /// Serilog, one JSON object per line on stdout and, when Logging:Directory is set, in a daily
    /// rolling file there. Logging:MinimumLevel sets the floor (default Information); framework
    /// chatter is held at Warning. Trace ids come from the request's Activity.
    /// </summary>
    public static void AddServerLogging(this WebApplicationBuilder builder, string fileName)
    {
        var section = builder.Configuration.GetSection("Logging");
        var minimum = Enum.TryParse<LogEventLevel>(section["MinimumLevel"], ignoreCase: true, out var level) ? level : LogEventLevel.Information;
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Npgsql", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Application", fileName)
            .WriteTo.Console(new JsonFormatter(renderMessage: true));
        if (section["Directory"] is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            configuration.WriteTo.File(
                new JsonFormatter(renderMessage: true),
                Path.Combine(directory, fileName + "-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                fileSizeLimitBytes: 100 * 1024 * 1024,
                rollOnFileSizeLimit: true);
        }
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);
    }
}
