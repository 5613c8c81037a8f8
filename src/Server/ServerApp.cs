using AstralytiQ.Server.Features.Admin;
using AstralytiQ.Server.Features.Ask;
using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Features.Identity;
using AstralytiQ.Server.Features.Query;
using AstralytiQ.Server.Features.Status;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.RateLimiting;
using AstralytiQ.Server.Infrastructure.Configuration;
using AstralytiQ.Server.Infrastructure.Health;
using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Redis;
using AstralytiQ.Server.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server;

/// <summary>The server's composition: what Program runs, and what tests host in-process.</summary>
public static class ServerApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddEnvironmentVariables("ASTQ__");
        configure?.Invoke(builder);

        builder.AddServerLogging("server");
        builder.AddServerEndpoints();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddServerTelemetry();
        builder.Services.AddPostgres();
        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddRedis();
        builder.Services.AddValidatedOptions<HealthOptions>(HealthOptions.SectionName);
        builder.Services.AddSingleton<HealthMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        builder.Services.AddIdentityFeature();
        builder.Services.AddDatasetsFeature();
        builder.Services.AddQueryFeature();
        builder.Services.AddAskFeature();
        builder.Services.AddGrpc(options =>
        {
            // Outermost first: who is calling, then how much they may call.
            options.Interceptors.Add<AuthInterceptor>();
            options.Interceptors.Add<RateLimitInterceptor>();
        });

        var app = builder.Build();
        app.MapOperationalEndpoints();
        app.MapGrpcHealthService();
        app.MapGrpcReflectionService();
        app.MapGrpcService<SystemApi>();
        app.MapGrpcService<IdentityApi>();
        app.MapGrpcService<AdminApi>();
        app.MapGrpcService<DatasetsApi>();
        app.MapGrpcService<Infrastructure.Jobs.JobsApi>();
        app.MapGrpcService<QueryApi>();
        app.MapGrpcService<AskApi>();
        return app;
    }

    /// <summary>Runs the server; a configuration error ends it with exit code 2 and a message naming the setting.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var app = Build(args);
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("AstralytiQ server cannot start: invalid configuration.");
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync("  - " + failure);
            }
            await Console.Error.WriteLineAsync("Settings come from appsettings.json and ASTQ__Section__Name environment variables.");
            return 2;
        }
    }
}
