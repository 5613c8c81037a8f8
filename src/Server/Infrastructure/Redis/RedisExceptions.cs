namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>Base of the Redis client's failures (timeouts excepted, which are <see cref="TimeoutException"/>s).</summary>
public class RedisException : Exception
{
    public RedisException()
    {
    }

    public RedisException(string message)
        : base(message)
    {
    }

    public RedisException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// No usable connection: Redis is down or unreachable, the connection was lost while the command
/// was in flight, the handshake (AUTH, SELECT) was refused, or the client was disposed. Safe to
/// treat as "Redis unavailable" and fall back.
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException()
    {
    }

    public RedisConnectionException(string message)
        : base(message)
    {
    }

    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Redis answered the command with an error reply (-ERR, -WRONGTYPE, -NOSCRIPT, ...); the message
/// is the server's. The connection stays usable.
/// </summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException()
    {
    }

    public RedisServerException(string message)
        : base(message)
    {
    }

    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The error's first word by convention, such as ERR, WRONGTYPE or NOSCRIPT.</summary>
    public string ErrorCode
    {
        get
        {
            var space = Message.IndexOf(' ', StringComparison.Ordinal);
            return space < 0 ? Message : Message[..space];
        }
    }
}

/// <summary>
/// No reply within <see cref="RedisOptions.CommandTimeout"/>. Derives from <see cref="TimeoutException"/>
/// as StackExchange.Redis's does; the connection it was sent on is recycled.
/// </summary>
public sealed class RedisTimeoutException : TimeoutException
{
    public RedisTimeoutException()
    {
    }

    public RedisTimeoutException(string message)
        : base(message)
    {
    }

    public RedisTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
