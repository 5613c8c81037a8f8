using System.Collections.Concurrent;
using Grpc.Core;

namespace AstralytiQ.Rpc.Tests;

/// <summary>
/// Lets tests observe a handler from the server side without sleeping: when it started, when its
/// CancellationToken fired, how it ended; and lets a test release a handler that waits.
/// </summary>
public sealed class CallTracker
{
    private readonly ConcurrentDictionary<string, TrackedCall> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BarrierState> _barriers = new(StringComparer.Ordinal);

    public TrackedCall this[string callId] => _calls.GetOrAdd(callId, static _ => new TrackedCall());

    /// <summary>Completes once <paramref name="count"/> handlers have arrived at the barrier named <paramref name="name"/>.</summary>
    public Task ArriveAsync(string name, int count, CancellationToken cancellationToken)
    {
        var barrier = _barriers.GetOrAdd(name, static _ => new BarrierState());
        if (Interlocked.Increment(ref barrier.Arrived) >= count)
        {
            barrier.AllArrived.TrySetResult();
        }
        return barrier.AllArrived.Task.WaitAsync(cancellationToken);
    }

    private sealed class BarrierState
    {
        public int Arrived;
        public TaskCompletionSource AllArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

public sealed class TrackedCall
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the handler's ServerCallContext.CancellationToken fires.</summary>
    public TaskCompletionSource TokenCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the handler returns ("ok") or throws (the exception's type name).</summary>
    public TaskCompletionSource<string> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed by a test to let a waiting handler go on.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Records the outcome; a token that fired is recorded too, even if the handler's own
    /// registration woke first and the handler ended before this call's registration ran.</summary>
    internal void Finish(ServerCallContext context, string outcome)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            TokenCancelled.TrySetResult();
        }
        Completed.TrySetResult(outcome);
    }

    internal IDisposable Begin(ServerCallContext context)
    {
        var registration = context.CancellationToken.Register(() => TokenCancelled.TrySetResult());
        Started.TrySetResult();
        return registration;
    }
}
