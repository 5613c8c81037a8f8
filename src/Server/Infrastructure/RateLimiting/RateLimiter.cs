using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Redis;

namespace AstralytiQ.Server.Infrastructure.RateLimiting;

/// <summary>Section "RateLimits": budgets per hour by class and tier, and login throttling.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    [Range(1, int.MaxValue)] public int QueryPerHourFree { get; set; } = 100;
    [Range(1, int.MaxValue)] public int QueryPerHourPremium { get; set; } = 1000;
    [Range(1, int.MaxValue)] public int GeneralPerHourFree { get; set; } = 5_000;
    [Range(1, int.MaxValue)] public int GeneralPerHourPremium { get; set; } = 50_000;

    /// <summary>Failed logins allowed per email in <see cref="LoginWindow"/>.</summary>
    [Range(1, int.MaxValue)] public int LoginFailuresPerEmail { get; set; } = 10;

    /// <summary>Login attempts allowed per client address in <see cref="LoginWindow"/>.</summary>
    [Range(1, int.MaxValue)] public int LoginAttemptsPerAddress { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "RateLimits:LoginWindow must be between 1 second and 1 day.")]
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(15);

    public int PerHour(RateLimitClass limitClass, Tier tier) => (limitClass, tier) switch
    {
        (RateLimitClass.Query, Tier.Premium) => QueryPerHourPremium,
        (RateLimitClass.Query, _) => QueryPerHourFree,
        (_, Tier.Premium) => GeneralPerHourPremium,
        _ => GeneralPerHourFree,
    };
}

/// <summary>The outcome of counting one hit against a budget.</summary>
public readonly record struct RateDecision(bool Allowed, long Count, long Limit, TimeSpan ResetsIn);

/// <summary>
/// Fixed-window counters in Redis (a key per subject and window that expires with the window), so a
/// limit holds across every server instance. When Redis cannot be reached, each instance falls back
/// to its own counters (logged), so limits degrade to per-instance rather than disappearing.
/// </summary>
public sealed class RateLimiter(IRedisConnection redis, TimeProvider clock, ILogger<RateLimiter> logger)
{
    // INCR, start the window on the first hit, and report the count and what is left of the window.
    private const string HitScript = """
        local n = redis.call('INCR', KEYS[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          ttl = tonumber(ARGV[1])
        end
        return {n, ttl}
        """;

    private readonly ConcurrentDictionary<string, LocalWindow> _local = new(StringComparer.Ordinal);
    private long _lastFallbackLog;

    public async Task<RateDecision> HitAsync(string key, long limit, TimeSpan window)
    {
        try
        {
            var result = await redis.GetDatabase().ScriptEvaluateAsync(HitScript, [new RedisKey("rl:" + key)], [(long)window.TotalMilliseconds]);
            var count = (long)result[0];
            var ttl = TimeSpan.FromMilliseconds((long)result[1]);
            return new RateDecision(count <= limit, count, limit, ttl);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFallback(ex);
            return HitLocal(key, limit, window);
        }
    }

    /// <summary>Reads a counter without counting a hit.</summary>
    public async Task<RateDecision> PeekAsync(string key, long limit)
    {
        try
        {
            var database = redis.GetDatabase();
            var value = await database.StringGetAsync(new RedisKey("rl:" + key));
            var count = value.IsNull ? 0 : (long)value;
            var ttl = count > 0 ? await database.KeyTimeToLiveAsync(new RedisKey("rl:" + key)) ?? TimeSpan.Zero : TimeSpan.Zero;
            return new RateDecision(count < limit, count, limit, ttl);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFallback(ex);
            var now = clock.GetUtcNow();
            return _local.TryGetValue(key, out var window) && window.ResetsAt > now
                ? new RateDecision(window.Count < limit, window.Count, limit, window.ResetsAt - now)
                : new RateDecision(true, 0, limit, TimeSpan.Zero);
        }
    }

    private RateDecision HitLocal(string key, long limit, TimeSpan length)
    {
        var now = clock.GetUtcNow();
        var window = _local.AddOrUpdate(key,
            _ => new LocalWindow(1, now + length),
            (_, current) => current.ResetsAt <= now ? new LocalWindow(1, now + length) : current with { Count = current.Count + 1 });
        if (_local.Count > 100_000)
        {
            foreach (var (expiredKey, expired) in _local)
            {
                if (expired.ResetsAt <= now)
                {
                    _local.TryRemove(expiredKey, out _);
                }
            }
        }
        return new RateDecision(window.Count <= limit, window.Count, limit, window.ResetsAt - now);
    }

    private void LogFallback(Exception ex)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastFallbackLog);
        if (now - last > 60_000 && Interlocked.CompareExchange(ref _lastFallbackLog, now, last) == last)
        {
            logger.LogWarning("Redis is unreachable ({Reason}); rate limits fall back to this instance's own counters", ex.Message);
        }
    }

    private sealed record LocalWindow(long Count, DateTimeOffset ResetsAt);
}
