using System.ComponentModel.DataAnnotations;
using Grpc.HealthCheck;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace AstralytiQ.Server.Infrastructure.Health;

/// <summary>Section "Health".</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>How often dependencies are checked in the background.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Health:CheckInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The latest result of each dependency check.</summary>
public sealed record ComponentHealth(string Name, bool Healthy, string Detail, TimeSpan Latency, DateTime CheckedAt);

/// <summary>
/// Checks PostgreSQL and Redis in the background and publishes the result: grpc.health.v1 reports
/// SERVING only while PostgreSQL answers (Redis is degraded service, not an outage: rate limits fall
/// back to per-instance counters). Changes are logged once, not on every check.
/// </summary>
public sealed class HealthMonitor(
    HealthCheckService checks,
    HealthServiceImpl grpcHealth,
    IOptions<HealthOptions> options,
    ILogger<HealthMonitor> logger) : BackgroundService
{
    private volatile IReadOnlyList<ComponentHealth> _latest = [];

    public IReadOnlyList<ComponentHealth> Latest => _latest;

    public bool Serving => _latest.FirstOrDefault(c => c.Name == "postgres")?.Healthy == true;

    /// <summary>The first check completes before the server listens, so health is never "unknown" to callers.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await CheckNowAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckNowAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task<IReadOnlyList<ComponentHealth>> CheckNowAsync(CancellationToken cancellationToken)
    {
        HealthReport report;
        try
        {
            report = await checks.CheckHealthAsync(r => r.Tags.Contains("ready"), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return _latest;
        }
        var now = DateTime.UtcNow;
        var components = report.Entries
            .Select(e => new ComponentHealth(e.Key, e.Value.Status == HealthStatus.Healthy, e.Value.Description ?? e.Value.Exception?.Message ?? "", e.Value.Duration, now))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToArray();
        var previous = _latest;
        _latest = components;
        foreach (var component in components)
        {
            var before = previous.FirstOrDefault(p => p.Name == component.Name);
            if (before is null || before.Healthy != component.Healthy)
            {
                if (component.Healthy)
                {
                    logger.LogInformation("{Component} is healthy", component.Name);
                }
                else
                {
                    logger.LogWarning("{Component} is unhealthy: {Reason}", component.Name, component.Detail);
                }
            }
        }
        grpcHealth.SetStatus("", Serving ? ServingStatus.Serving : ServingStatus.NotServing);
        return components;
    }
}
