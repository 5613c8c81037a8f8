namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>
/// The one shared, thread-safe, long-lived connection to Redis (the shape of StackExchange.Redis's
/// IConnectionMultiplexer). It connects on first use, reconnects by itself in the background,
/// and fails commands fast with <see cref="RedisConnectionException"/> while Redis is away.
/// </summary>
public interface IRedisConnection : IDisposable, IAsyncDisposable
{
    /// <summary>Whether a connection is open right now.</summary>
    bool IsConnected { get; }

    /// <summary>The configured database. Cheap: callers may fetch it per use or keep it.</summary>
    IRedisDatabase GetDatabase();
}
