namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>
/// A pub/sub channel name. Built with <see cref="Literal"/> only, which is also the spelling
/// StackExchange.Redis recommends (its implicit string conversion is obsolete there).
/// </summary>
public readonly record struct RedisChannel
{
    private RedisChannel(string name) => Name = name;

    public string Name { get; }

    public static RedisChannel Literal(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new RedisChannel(name);
    }

    public override string ToString() => Name;
}
