using System.Runtime.CompilerServices;

namespace Grpc.Core;

/// <summary>The shared state accessors of a client call.</summary>
internal readonly record struct CallState(Func<Status> GetStatus, Func<Metadata> GetTrailers, Action Dispose);

/// <summary>A unary call in progress.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly CallState _state;

    /// <summary>Creates a call from its parts.</summary>
    public AsyncUnaryCall(Task<TResponse> responseAsync, Task<Metadata> responseHeadersAsync, Func<Status> getStatusFunc, Func<Metadata> getTrailersFunc, Action disposeAction)
    {
        ResponseAsync = responseAsync;
        ResponseHeadersAsync = responseHeadersAsync;
        _state = new CallState(getStatusFunc, getTrailersFunc, disposeAction);
    }

    /// <summary>Completes with the response, or faults with <see cref="RpcException"/>.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>Completes with the response headers.</summary>
    public Task<Metadata> ResponseHeadersAsync { get; }

    /// <summary>The call's status; only once the call has finished.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The call's trailers; only once the call has finished.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Awaits the response.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Awaits the response with a context choice.</summary>
    public ConfiguredTaskAwaitable<TResponse> ConfigureAwait(bool continueOnCapturedContext) => ResponseAsync.ConfigureAwait(continueOnCapturedContext);

    /// <summary>Cancels the call if it is still running and frees its resources.</summary>
    public void Dispose() => _state.Dispose();
}

/// <summary>A server-streaming call in progress.</summary>
public sealed class AsyncServerStreamingCall<TResponse> : IDisposable
{
    private readonly CallState _state;

    /// <summary>Creates a call from its parts.</summary>
    public AsyncServerStreamingCall(IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeadersAsync, Func<Status> getStatusFunc, Func<Metadata> getTrailersFunc, Action disposeAction)
    {
        ResponseStream = responseStream;
        ResponseHeadersAsync = responseHeadersAsync;
        _state = new CallState(getStatusFunc, getTrailersFunc, disposeAction);
    }

    /// <summary>The responses.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>Completes with the response headers.</summary>
    public Task<Metadata> ResponseHeadersAsync { get; }

    /// <summary>The call's status; only once the call has finished.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The call's trailers; only once the call has finished.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Cancels the call if it is still running and frees its resources.</summary>
    public void Dispose() => _state.Dispose();
}

/// <summary>A client-streaming call in progress.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly CallState _state;

    /// <summary>Creates a call from its parts.</summary>
    public AsyncClientStreamingCall(IClientStreamWriter<TRequest> requestStream, Task<TResponse> responseAsync, Task<Metadata> responseHeadersAsync, Func<Status> getStatusFunc, Func<Metadata> getTrailersFunc, Action disposeAction)
    {
        RequestStream = requestStream;
        ResponseAsync = responseAsync;
        ResponseHeadersAsync = responseHeadersAsync;
        _state = new CallState(getStatusFunc, getTrailersFunc, disposeAction);
    }

    /// <summary>Where requests are written.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>Completes with the response.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>Completes with the response headers.</summary>
    public Task<Metadata> ResponseHeadersAsync { get; }

    /// <summary>The call's status; only once the call has finished.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The call's trailers; only once the call has finished.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Awaits the response.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>Awaits the response with a context choice.</summary>
    public ConfiguredTaskAwaitable<TResponse> ConfigureAwait(bool continueOnCapturedContext) => ResponseAsync.ConfigureAwait(continueOnCapturedContext);

    /// <summary>Cancels the call if it is still running and frees its resources.</summary>
    public void Dispose() => _state.Dispose();
}

/// <summary>A duplex-streaming call in progress.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly CallState _state;

    /// <summary>Creates a call from its parts.</summary>
    public AsyncDuplexStreamingCall(IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream, Task<Metadata> responseHeadersAsync, Func<Status> getStatusFunc, Func<Metadata> getTrailersFunc, Action disposeAction)
    {
        RequestStream = requestStream;
        ResponseStream = responseStream;
        ResponseHeadersAsync = responseHeadersAsync;
        _state = new CallState(getStatusFunc, getTrailersFunc, disposeAction);
    }

    /// <summary>Where requests are written.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The responses.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>Completes with the response headers.</summary>
    public Task<Metadata> ResponseHeadersAsync { get; }

    /// <summary>The call's status; only once the call has finished.</summary>
    public Status GetStatus() => _state.GetStatus();

    /// <summary>The call's trailers; only once the call has finished.</summary>
    public Metadata GetTrailers() => _state.GetTrailers();

    /// <summary>Cancels the call if it is still running and frees its resources.</summary>
    public void Dispose() => _state.Dispose();
}
