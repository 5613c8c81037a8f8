using System.Diagnostics;

namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>
/// One command on its way: queued for writing, then awaiting its reply in FIFO order. Whoever
/// completes it first (the reply, a timeout, a connection failure) wins; the others are no-ops.
/// Continuations run asynchronously so a caller never runs on the connection's read loop.
/// </summary>
internal sealed class PendingCommand(string command, RedisValue[] args, TimeSpan? timeout = null)
    : TaskCompletionSource<RedisResult>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public string Command { get; } = command;

    /// <summary>Null: the connection's command timeout. The handshake uses the connect timeout instead.</summary>
    public TimeSpan? Timeout { get; } = timeout;

    /// <summary>Released once written, so a large value is not kept alive until its reply.</summary>
    public RedisValue[] Args { get; private set; } = args;

    public long StartedAt { get; } = Stopwatch.GetTimestamp();

    public TimeSpan Age(long now) => Stopwatch.GetElapsedTime(StartedAt, now);

    public void ReleaseArgs() => Args = [];

    public void Complete(RedisResult reply)
    {
        if (reply.Type == ResultType.Error)
        {
            TrySetException(new RedisServerException(reply.ErrorMessage!));
        }
        else
        {
            TrySetResult(reply);
        }
    }
}
