using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>Maps each operation onto its Redis command and reads the reply.</summary>
internal sealed class RedisDatabase(RedisConnection connection, int database) : IRedisDatabase
{
    // Commands that would change the shared connection's state for every other caller, or turn
    // it into a push stream that breaks reply matching.
    private static readonly HashSet<string> RefusedCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "AUTH", "HELLO", "MONITOR", "PSUBSCRIBE", "PSYNC", "PUNSUBSCRIBE", "QUIT", "RESET", "SELECT",
        "SSUBSCRIBE", "SUBSCRIBE", "SUNSUBSCRIBE", "SYNC", "UNSUBSCRIBE",
    };

    private readonly ConcurrentDictionary<string, string> _scriptHashes = new(StringComparer.Ordinal);

    public int Database => database;

    public async Task<RedisValue> StringGetAsync(RedisKey key) =>
        (RedisValue)await SendAsync("GET", key.Value).ConfigureAwait(false);

    public async Task<bool> StringSetAsync(RedisKey key, RedisValue value, TimeSpan? expiry = null, When when = When.Always)
    {
        var args = new List<RedisValue>(5) { key.Value, value };
        if (expiry is { } ttl)
        {
            args.Add("PX");
            args.Add(ToMilliseconds(ttl, nameof(expiry)));
        }

        switch (when)
        {
            case When.Exists:
                args.Add("XX");
                break;
            case When.NotExists:
                args.Add("NX");
                break;
        }

        // OK when written; a null reply when NX/XX stopped the write.
        var reply = await SendAsync("SET", [.. args]).ConfigureAwait(false);
        return !reply.IsNull;
    }

    public async Task<long> StringIncrementAsync(RedisKey key, long value = 1) =>
        (long)await SendAsync("INCRBY", key.Value, value).ConfigureAwait(false);

    public async Task<bool> KeyExpireAsync(RedisKey key, TimeSpan? expiry)
    {
        // As in StackExchange.Redis, a null expiry is PERSIST: true only when a timeout was removed.
        var reply = expiry is { } ttl
            ? await SendAsync("PEXPIRE", key.Value, ToMilliseconds(ttl, nameof(expiry))).ConfigureAwait(false)
            : await SendAsync("PERSIST", key.Value).ConfigureAwait(false);
        return (long)reply == 1;
    }

    public async Task<TimeSpan?> KeyTimeToLiveAsync(RedisKey key)
    {
        var milliseconds = (long)await SendAsync("PTTL", key.Value).ConfigureAwait(false);
        return milliseconds < 0 ? null : TimeSpan.FromMilliseconds(milliseconds);
    }

    public async Task<bool> KeyDeleteAsync(RedisKey key) =>
        (long)await SendAsync("DEL", key.Value).ConfigureAwait(false) == 1;

    public async Task<long> KeyDeleteAsync(RedisKey[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Length == 0 ? 0 : (long)await SendAsync("DEL", ToValues(keys)).ConfigureAwait(false);
    }

    public async Task<bool> KeyExistsAsync(RedisKey key) =>
        (long)await SendAsync("EXISTS", key.Value).ConfigureAwait(false) == 1;

    public async Task<long> KeyExistsAsync(RedisKey[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Length == 0 ? 0 : (long)await SendAsync("EXISTS", ToValues(keys)).ConfigureAwait(false);
    }

    public async Task HashSetAsync(RedisKey key, HashEntry[] hashFields)
    {
        ArgumentNullException.ThrowIfNull(hashFields);
        if (hashFields.Length == 0)
        {
            return;
        }

        var args = new RedisValue[1 + (hashFields.Length * 2)];
        args[0] = key.Value;
        for (var i = 0; i < hashFields.Length; i++)
        {
            args[1 + (i * 2)] = hashFields[i].Name;
            args[2 + (i * 2)] = hashFields[i].Value;
        }

        await SendAsync("HSET", args).ConfigureAwait(false);
    }

    public async Task<bool> HashSetAsync(RedisKey key, RedisValue hashField, RedisValue value, When when = When.Always)
    {
        var command = when switch
        {
            When.Always => "HSET",
            When.NotExists => "HSETNX",
            _ => throw new ArgumentOutOfRangeException(nameof(when), when, "Redis can set a hash field always or only when it does not exist."),
        };
        return (long)await SendAsync(command, key.Value, hashField, value).ConfigureAwait(false) == 1;
    }

    public async Task<RedisValue> HashGetAsync(RedisKey key, RedisValue hashField) =>
        (RedisValue)await SendAsync("HGET", key.Value, hashField).ConfigureAwait(false);

    public async Task<HashEntry[]> HashGetAllAsync(RedisKey key)
    {
        var items = (RedisResult[]?)await SendAsync("HGETALL", key.Value).ConfigureAwait(false) ?? [];
        var entries = new HashEntry[items.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry((RedisValue)items[i * 2], (RedisValue)items[(i * 2) + 1]);
        }

        return entries;
    }

    public async Task<RedisResult> ScriptEvaluateAsync(string script, RedisKey[]? keys = null, RedisValue[]? values = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(script);
        keys ??= [];
        values ??= [];
        var hash = _scriptHashes.GetOrAdd(script, static s => HashScript(s));
        try
        {
            return await SendAsync("EVALSHA", ScriptArgs(hash, keys, values)).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.ErrorCode == "NOSCRIPT")
        {
            // First use on this server (or after a restart or SCRIPT FLUSH): EVAL also caches it.
            return await SendAsync("EVAL", ScriptArgs(script, keys, values)).ConfigureAwait(false);
        }
    }

    public async Task<TimeSpan> PingAsync()
    {
        var started = Stopwatch.GetTimestamp();
        await SendAsync("PING", []).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    public async Task<long> PublishAsync(RedisChannel channel, RedisValue message) =>
        (long)await SendAsync("PUBLISH", channel.Name ?? throw new ArgumentException("The channel is empty.", nameof(channel)), message)
            .ConfigureAwait(false);

    public Task<RedisResult> ExecuteAsync(string command, params object[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        if (RefusedCommands.Contains(command)
            || (string.Equals(command, "CLIENT", StringComparison.OrdinalIgnoreCase) && args is [string sub, ..]
                && string.Equals(sub, "REPLY", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException(
                $"{command} is not allowed on the shared Redis connection: it would change the connection for every other caller.",
                nameof(command));
        }

        var values = new RedisValue[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            values[i] = RedisValue.FromObject(args[i], nameof(args));
        }

        return connection.ExecuteAsync(command, values);
    }

    private Task<RedisResult> SendAsync(string command, params RedisValue[] args) =>
        connection.ExecuteAsync(command, args);

    private static RedisValue[] ScriptArgs(string scriptOrHash, RedisKey[] keys, RedisValue[] values)
    {
        var args = new RedisValue[2 + keys.Length + values.Length];
        args[0] = scriptOrHash;
        args[1] = keys.Length;
        for (var i = 0; i < keys.Length; i++)
        {
            args[2 + i] = keys[i].Value;
        }

        values.CopyTo(args, 2 + keys.Length);
        return args;
    }

    private static RedisValue[] ToValues(RedisKey[] keys)
    {
        var values = new RedisValue[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            values[i] = keys[i].Value;
        }

        return values;
    }

    private static long ToMilliseconds(TimeSpan value, string parameterName)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(parameterName, value, "A Redis expiry must be positive.");
        }

        // Round up so that a sub-millisecond expiry does not become PX 0, which Redis rejects.
        return (long)Math.Ceiling(value.TotalMilliseconds);
    }

    // Redis names scripts by the SHA-1 of their text; this is an identifier, not a security measure.
    private static string HashScript(string script) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));
}
