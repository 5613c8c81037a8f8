namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>A key, convertible from and to <see cref="string"/> as StackExchange.Redis's RedisKey is.</summary>
public readonly struct RedisKey(string key) : IEquatable<RedisKey>
{
    public string Value => key ?? throw new InvalidOperationException("The Redis key is empty (default).");

    public static implicit operator RedisKey(string key) =>
        new(key ?? throw new ArgumentNullException(nameof(key), "A Redis key cannot be null."));

    public static implicit operator string(RedisKey key) => key.Value;

    public static bool operator ==(RedisKey left, RedisKey right) => left.Equals(right);

    public static bool operator !=(RedisKey left, RedisKey right) => !left.Equals(right);

    public bool Equals(RedisKey other) => string.Equals(key, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is RedisKey other && Equals(other);

    public override int GetHashCode() => key is null ? 0 : StringComparer.Ordinal.GetHashCode(key);

    public override string ToString() => key ?? string.Empty;
}
