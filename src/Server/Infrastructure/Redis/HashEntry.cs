namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>One field of a Redis hash.</summary>
public readonly record struct HashEntry(RedisValue Name, RedisValue Value);
