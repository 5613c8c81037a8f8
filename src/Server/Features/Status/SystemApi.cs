using System.Reflection;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Infrastructure.Health;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AstralytiQ.Server.Features.Status;

/// <summary>What the server is and whether its dependencies answer; public, like grpc.health.v1.</summary>
[AstralytiQ.Server.Infrastructure.Auth.PublicMethod]
public sealed class SystemApi(HealthMonitor monitor, TimeProvider clock) : AstralytiQ.Api.V1.SystemService.SystemServiceBase
{
    private static readonly DateTime StartedAt = DateTime.UtcNow;

    private static readonly string Version =
        typeof(SystemApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public override Task<SystemStatus> GetSystemStatus(GetSystemStatusRequest request, ServerCallContext context)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var status = new SystemStatus
        {
            Version = Version,
            StartedAt = Timestamp.FromDateTime(StartedAt),
            Uptime = Duration.FromTimeSpan(now - StartedAt),
            Serving = monitor.Serving,
            Instance = Environment.MachineName,
        };
        foreach (var component in monitor.Latest)
        {
            status.Components.Add(new ComponentStatus
            {
                Name = component.Name,
                Healthy = component.Healthy,
                Detail = component.Detail,
                Latency = Duration.FromTimeSpan(component.Latency),
                CheckedAt = Timestamp.FromDateTime(component.CheckedAt),
            });
        }
        return Task.FromResult(status);
    }
}
