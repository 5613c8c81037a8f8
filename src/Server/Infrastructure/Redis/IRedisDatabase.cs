namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>
/// Commands against the configured database, named and shaped as on StackExchange.Redis's
/// IDatabase so that a swap is mechanical. Every method may fail with
/// <see cref="RedisConnectionException"/> (no connection), <see cref="RedisTimeoutException"/>
/// (no reply in time) or <see cref="RedisServerException"/> (an error reply).
/// </summary>
public interface IRedisDatabase
{
    int Database { get; }

    /// <summary>GET; <see cref="RedisValue.Null"/> when the key does not exist.</summary>
    Task<RedisValue> StringGetAsync(RedisKey key);

    /// <summary>SET with optional PX expiry and NX/XX; false when the condition stopped the write.</summary>
    Task<bool> StringSetAsync(RedisKey key, RedisValue value, TimeSpan? expiry = null, When when = When.Always);

    /// <summary>INCRBY; the value after the increment.</summary>
    Task<long> StringIncrementAsync(RedisKey key, long value = 1);

    /// <summary>PEXPIRE, or PERSIST when <paramref name="expiry"/> is null; false when the key does not exist.</summary>
    Task<bool> KeyExpireAsync(RedisKey key, TimeSpan? expiry);

    /// <summary>PTTL; null when the key does not exist or has no expiry.</summary>
    Task<TimeSpan?> KeyTimeToLiveAsync(RedisKey key);

    Task<bool> KeyDeleteAsync(RedisKey key);

    /// <summary>DEL of many keys; the number removed.</summary>
    Task<long> KeyDeleteAsync(RedisKey[] keys);

    Task<bool> KeyExistsAsync(RedisKey key);

    /// <summary>EXISTS of many keys; how many exist (a key named twice counts twice).</summary>
    Task<long> KeyExistsAsync(RedisKey[] keys);

    /// <summary>HSET of several fields at once.</summary>
    Task HashSetAsync(RedisKey key, HashEntry[] hashFields);

    /// <summary>HSET (or HSETNX for <see cref="When.NotExists"/>); true when the field is new.</summary>
    Task<bool> HashSetAsync(RedisKey key, RedisValue hashField, RedisValue value, When when = When.Always);

    Task<RedisValue> HashGetAsync(RedisKey key, RedisValue hashField);

    Task<HashEntry[]> HashGetAllAsync(RedisKey key);

    /// <summary>EVALSHA of the script's SHA-1, falling back to EVAL when Redis answers NOSCRIPT.</summary>
    Task<RedisResult> ScriptEvaluateAsync(string script, RedisKey[]? keys = null, RedisValue[]? values = null);

    /// <summary>PING; the round-trip time.</summary>
    Task<TimeSpan> PingAsync();

    /// <summary>PUBLISH; the number of subscribers that received the message.</summary>
    Task<long> PublishAsync(RedisChannel channel, RedisValue message);

    /// <summary>
    /// Any other command. Arguments may be strings, byte arrays, numbers, <see cref="RedisKey"/> or
    /// <see cref="RedisValue"/>. Commands that would change the shared connection's state
    /// (SELECT, SUBSCRIBE, MONITOR, QUIT, ...) are refused. Blocking commands (BLPOP, WAIT, ...)
    /// hold up every other caller on the shared connection until they return, so keep their
    /// timeout well under <see cref="RedisOptions.CommandTimeout"/>, or better, do not use them.
    /// </summary>
    Task<RedisResult> ExecuteAsync(string command, params object[] args);
}
