using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace AstralytiQ.Rpc.Tests;

/// <summary>An <see cref="IGrpcCallObserver"/> that records every call; calls are named by their x-call-id header.</summary>
public sealed class RecordingObserver : IGrpcCallObserver
{
    private readonly Lock _sync = new();
    private readonly List<ObservedCall> _calls = [];
    private readonly List<(Func<ObservedCall, bool> Match, TaskCompletionSource<ObservedCall> Done)> _waiters = [];
    private readonly List<(string CallId, TaskCompletionSource<ObservedCall> Started)> _startWaiters = [];

    public void OnCallStarted(HttpContext httpContext, string method, MethodType type)
    {
        var call = new ObservedCall(CallId(httpContext), method, type);
        httpContext.Items[typeof(ObservedCall)] = call;
        List<TaskCompletionSource<ObservedCall>> started = [];
        lock (_sync)
        {
            _calls.Add(call);
            foreach (var waiter in _startWaiters.ToArray())
            {
                if (string.Equals(waiter.CallId, call.CallId, StringComparison.Ordinal))
                {
                    _startWaiters.Remove(waiter);
                    started.Add(waiter.Started);
                }
            }
        }
        foreach (var tcs in started)
        {
            tcs.TrySetResult(call);
        }
    }

    /// <summary>Completes when the call with this x-call-id has started.</summary>
    public Task<ObservedCall> WaitForStartedAsync(string callId)
    {
        var tcs = new TaskCompletionSource<ObservedCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            var existing = _calls.FirstOrDefault(c => string.Equals(c.CallId, callId, StringComparison.Ordinal));
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }
            _startWaiters.Add((callId, tcs));
        }
        return tcs.Task.WaitAsync(TestTimeouts.Safety);
    }

    public void OnCallCompleted(HttpContext httpContext, string method, MethodType type, Status status, TimeSpan elapsed)
    {
        var call = httpContext.Items[typeof(ObservedCall)] as ObservedCall ?? new ObservedCall(CallId(httpContext), method, type);
        List<TaskCompletionSource<ObservedCall>> done = [];
        lock (_sync)
        {
            call.Status = status;
            call.Elapsed = elapsed;
            call.CompletedCount++;
            foreach (var waiter in _waiters.ToArray())
            {
                if (waiter.Match(call))
                {
                    _waiters.Remove(waiter);
                    done.Add(waiter.Done);
                }
            }
        }
        foreach (var tcs in done)
        {
            tcs.TrySetResult(call);
        }
    }

    public IReadOnlyList<ObservedCall> Calls
    {
        get
        {
            lock (_sync)
            {
                return _calls.ToArray();
            }
        }
    }

    /// <summary>Completes when the call with this x-call-id has completed.</summary>
    public Task<ObservedCall> WaitForCompletedAsync(string callId) =>
        WaitForCompletedAsync(c => string.Equals(c.CallId, callId, StringComparison.Ordinal));

    public Task<ObservedCall> WaitForCompletedAsync(Func<ObservedCall, bool> match)
    {
        var tcs = new TaskCompletionSource<ObservedCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            var existing = _calls.FirstOrDefault(c => c.CompletedCount > 0 && match(c));
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }
            _waiters.Add((match, tcs));
        }
        return tcs.Task.WaitAsync(TestTimeouts.Safety);
    }

    private static string? CallId(HttpContext httpContext) =>
        httpContext.Request.Headers.TryGetValue("x-call-id", out var value) ? value.ToString() : null;
}

public sealed class ObservedCall(string? callId, string method, MethodType type)
{
    public string? CallId { get; } = callId;

    public string Method { get; } = method;

    public MethodType Type { get; } = type;

    public Status? Status { get; internal set; }

    public TimeSpan Elapsed { get; internal set; }

    /// <summary>How many times OnCallCompleted was called for this call (must be exactly one).</summary>
    public int CompletedCount { get; internal set; }
}
