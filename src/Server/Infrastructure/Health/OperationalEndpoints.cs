using System.Text.Json;
using AstralytiQ.Server.Infrastructure.Configuration;
using AstralytiQ.Server.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Infrastructure.Health;

public static class OperationalEndpoints
{
    /// <summary>
    /// /health/live, /health/ready and /metrics, served only on the HTTP/1.1 port (Server:HttpUrl) so
    /// that load balancers and Prometheus need no HTTP/2.
    /// </summary>
    public static void MapOperationalEndpoints(this WebApplication app)
    {
        var operational = app.MapGroup("").AddEndpointFilter(OnlyOnHttpPort);

        operational.MapGet("/health/live", () => Results.Text("alive\n"));

        operational.MapGet("/health/ready", async (HealthMonitor monitor, HttpContext context) =>
        {
            var components = await monitor.CheckNowAsync(context.RequestAborted);
            var ready = components.Count > 0 && components.All(c => c.Healthy);
            var body = new
            {
                status = ready ? "ready" : "not ready",
                components = components.ToDictionary(c => c.Name, c => new { healthy = c.Healthy, detail = c.Detail, latencyMs = Math.Round(c.Latency.TotalMilliseconds, 1) }),
            };
            return Results.Json(body, JsonOptions, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        operational.MapGet("/metrics", (ServerMetrics metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
    }

    /// <summary>Answers 404 on any port but Server:HttpUrl's (the options are read per call, after start-up validated them).</summary>
    private static ValueTask<object?> OnlyOnHttpPort(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var httpContext = context.HttpContext;
        var httpPort = httpContext.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.GetHttpUri().Port;
        return httpContext.Connection.LocalPort == httpPort ? next(context) : ValueTask.FromResult<object?>(Results.NotFound());
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
