using System.Diagnostics;
using Grpc.AspNetCore.Server;

namespace AstralytiQ.Server.Infrastructure.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddServerTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<IGrpcCallObserver, CallTelemetry>();
        // ASP.NET Core only creates a request Activity when someone listens; listening gives every
        // log line a W3C trace id (and honours a caller's traceparent).
        services.AddSingleton(_ =>
        {
            var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            };
            ActivitySource.AddActivityListener(listener);
            return listener;
        });
        return services;
    }
}
