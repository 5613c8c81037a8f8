using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using AstralytiQ.Server.Infrastructure.Errors;
using AstralytiQ.Server.Infrastructure.Postgres;
using Dapper;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Usage;

/// <summary>Metric names counted per tenant and day.</summary>
public static class UsageMetrics
{
    public const string ApiCalls = "api_calls";
    public const string Queries = "queries";
    public const string RowsIngested = "rows_ingested";
    public const string StorageBytes = "storage_bytes";
    public const string ModelsTrained = "models_trained";

    public static readonly string[] All = [ApiCalls, Queries, RowsIngested, StorageBytes, ModelsTrained];
}

/// <summary>Limits of one plan for a billing period (a calendar month); 0 means unlimited.</summary>
public sealed class PlanLimits
{
    [Range(0, long.MaxValue)] public long ApiCalls { get; set; }
    [Range(0, long.MaxValue)] public long Queries { get; set; }
    [Range(0, long.MaxValue)] public long RowsIngested { get; set; }
    /// <summary>Storage is a level, not a flow: the limit applies to the current total.</summary>
    [Range(0, long.MaxValue)] public long StorageBytes { get; set; }
    [Range(0, long.MaxValue)] public long ModelsTrained { get; set; }
    [Range(0, int.MaxValue)] public int Users { get; set; }

    public long For(string metric) => metric switch
    {
        UsageMetrics.ApiCalls => ApiCalls,
        UsageMetrics.Queries => Queries,
        UsageMetrics.RowsIngested => RowsIngested,
        UsageMetrics.StorageBytes => StorageBytes,
        UsageMetrics.ModelsTrained => ModelsTrained,
        _ => 0,
    };
}

/// <summary>Section "Plans": limits per plan (free, premium, enterprise).</summary>
public sealed class PlanOptions
{
    public const string SectionName = "Plans";

    public PlanLimits Free { get; set; } = new() { ApiCalls = 100_000, Queries = 2_000, RowsIngested = 5_000_000, StorageBytes = 1L << 30, ModelsTrained = 50, Users = 5 };

    public PlanLimits Premium { get; set; } = new() { ApiCalls = 2_000_000, Queries = 50_000, RowsIngested = 200_000_000, StorageBytes = 50L << 30, ModelsTrained = 1_000, Users = 100 };

    public PlanLimits Enterprise { get; set; } = new();

    public PlanLimits For(string plan) => plan switch
    {
        "premium" => Premium,
        "enterprise" => Enterprise,
        _ => Free,
    };
}

public sealed record DailyUsageRecord(DateOnly Day, string Metric, long Amount);

/// <summary>
/// Per-tenant counters by metric and day. Increments are buffered in memory and written every few
/// seconds (and at shutdown), so counting every API call costs no database round trip.
/// </summary>
public sealed class UsageMeter(TenantDatabase database, TimeProvider clock, ILogger<UsageMeter> logger) : BackgroundService
{
    private ConcurrentDictionary<(Guid Tenant, string Metric, DateOnly Day), long> _pending = new();

    public void Add(Guid tenantId, string metric, long amount = 1)
    {
        var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        _pending.AddOrUpdate((tenantId, metric, day), amount, (_, current) => current + amount);
    }

    /// <summary>Writes buffered counts now (quota checks call this so they see recent use).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<(Guid Tenant, string Metric, DateOnly Day), long>());
        foreach (var group in batch.GroupBy(e => e.Key.Tenant))
        {
            try
            {
                await database.InTenantAsync(group.Key, (c, t) => c.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO app.usage (tenant_id, metric, day, amount) VALUES (@tenant, @metric, @day, @amount)
                    ON CONFLICT (tenant_id, metric, day) DO UPDATE SET amount = app.usage.amount + excluded.amount
                    """,
                    group.Select(e => new { tenant = e.Key.Tenant, metric = e.Key.Metric, day = e.Key.Day, amount = e.Value }).ToArray(),
                    t, cancellationToken: cancellationToken)), cancellationToken);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or Npgsql.PostgresException)
            {
                // Put the counts back; they will be written with the next flush.
                foreach (var entry in group)
                {
                    _pending.AddOrUpdate(entry.Key, entry.Value, (_, current) => current + entry.Value);
                }
                logger.LogWarning(ex, "Could not write usage for tenant {TenantId}; will retry", group.Key);
            }
        }
    }

    public Task<IReadOnlyList<DailyUsageRecord>> GetDailyAsync(Guid tenantId, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<DailyUsageRecord>>(tenantId, async (c, t) => (await c.QueryAsync<DailyUsageRecord>(new CommandDefinition(
            "SELECT day, metric, amount FROM app.usage WHERE tenant_id = @tenantId AND day BETWEEN @from AND @to ORDER BY day, metric",
            new { tenantId, from, to }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public async Task<long> GetTotalAsync(Guid tenantId, string metric, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, (c, t) => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT coalesce(sum(amount), 0) FROM app.usage WHERE tenant_id = @tenantId AND metric = @metric AND day BETWEEN @from AND @to",
            new { tenantId, metric, from, to }, t, cancellationToken: cancellationToken)), cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }
}

/// <summary>The shared quota check later features call before doing work that counts against a plan.</summary>
public sealed class QuotaGuard(UsageMeter meter, TenantDatabase database, IOptions<PlanOptions> plans, TimeProvider clock)
{
    /// <summary>Throws RESOURCE_EXHAUSTED (google.rpc.QuotaFailure) when adding <paramref name="amount"/> would exceed the plan.</summary>
    public async Task EnsureAsync(Guid tenantId, string metric, long amount, CancellationToken cancellationToken)
    {
        var plan = await GetPlanAsync(tenantId, cancellationToken);
        var limit = plans.Value.For(plan).For(metric);
        if (limit <= 0)
        {
            return;
        }
        await meter.FlushAsync(cancellationToken);
        var (from, to) = CurrentPeriod();
        var used = metric == UsageMetrics.StorageBytes
            ? await meter.GetTotalAsync(tenantId, metric, DateOnly.MinValue, to, cancellationToken)
            : await meter.GetTotalAsync(tenantId, metric, from, to, cancellationToken);
        if (used + amount > limit)
        {
            throw RpcErrors.QuotaExceeded($"tenant:{tenantId}:{metric}",
                $"This would exceed the {plan} plan's {metric.Replace('_', ' ')} limit ({used:N0} used of {limit:N0} this month).");
        }
    }

    /// <summary>How much of a metric is left this period; null when unlimited.</summary>
    public async Task<long?> RemainingAsync(Guid tenantId, string metric, CancellationToken cancellationToken)
    {
        var plan = await GetPlanAsync(tenantId, cancellationToken);
        var limit = plans.Value.For(plan).For(metric);
        if (limit <= 0)
        {
            return null;
        }
        await meter.FlushAsync(cancellationToken);
        var (from, to) = CurrentPeriod();
        var used = await meter.GetTotalAsync(tenantId, metric, metric == UsageMetrics.StorageBytes ? DateOnly.MinValue : from, to, cancellationToken);
        return Math.Max(0, limit - used);
    }

    public Task<string> GetPlanAsync(Guid tenantId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT plan FROM app.tenants WHERE id = @tenantId", new { tenantId }, t, cancellationToken: cancellationToken)), cancellationToken)!;

    public (DateOnly From, DateOnly To) CurrentPeriod()
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var from = new DateOnly(today.Year, today.Month, 1);
        return (from, from.AddMonths(1).AddDays(-1));
    }
}
