namespace AstralytiQ.Server.Tests.Redis;

/// <summary>
/// Classes that assert how quickly failures surface run alone, after the parallel ones: on a
/// two-core machine, CPU-heavy tests next to them starve the thread pool and skew timings.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisTimingCollection
{
    public const string Name = "Redis timing";
}
