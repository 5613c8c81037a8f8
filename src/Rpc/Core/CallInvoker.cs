namespace Grpc.Core;

/// <summary>Starts calls; generated clients call through one of these.</summary>
public abstract class CallInvoker
{
    /// <summary>Makes a unary call and waits for its response.</summary>
    public abstract TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class;

    /// <summary>Starts a unary call.</summary>
    public abstract AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class;

    /// <summary>Starts a server-streaming call.</summary>
    public abstract AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        where TRequest : class
        where TResponse : class;

    /// <summary>Starts a client-streaming call.</summary>
    public abstract AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        where TRequest : class
        where TResponse : class;

    /// <summary>Starts a duplex-streaming call.</summary>
    public abstract AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        where TRequest : class
        where TResponse : class;
}

/// <summary>A connection to a server from which call invokers are made.</summary>
public abstract class ChannelBase
{
    /// <summary>Creates a channel for a target.</summary>
    protected ChannelBase(string target) => Target = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>The address the channel talks to.</summary>
    public string Target { get; }

    /// <summary>Creates a call invoker over this channel.</summary>
    public abstract CallInvoker CreateCallInvoker();

    /// <summary>Shuts the channel down; calls in flight are cancelled.</summary>
    public Task ShutdownAsync() => ShutdownAsyncCore();

    /// <summary>Implements <see cref="ShutdownAsync"/>.</summary>
    protected virtual Task ShutdownAsyncCore() => Task.CompletedTask;
}

/// <summary>Base class of generated clients.</summary>
public abstract class ClientBase
{
    /// <summary>For test doubles: every call throws UNIMPLEMENTED.</summary>
    protected ClientBase()
        : this(new UnimplementedCallInvoker())
    {
    }

    /// <summary>Creates a client from a configuration.</summary>
    protected ClientBase(ClientBaseConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Configuration = configuration;
        CallInvoker = configuration.CreateDecoratedCallInvoker();
    }

    /// <summary>Creates a client over a channel.</summary>
    protected ClientBase(ChannelBase channel)
        : this((channel ?? throw new ArgumentNullException(nameof(channel))).CreateCallInvoker())
    {
    }

    /// <summary>Creates a client over a call invoker.</summary>
    protected ClientBase(CallInvoker callInvoker)
        : this(new ClientBaseConfiguration(callInvoker ?? throw new ArgumentNullException(nameof(callInvoker)), null))
    {
    }

    /// <summary>The invoker the client's calls go through.</summary>
    protected CallInvoker CallInvoker { get; }

    internal ClientBaseConfiguration Configuration { get; }

    /// <summary>The invoker and host a client was created with.</summary>
    protected internal class ClientBaseConfiguration
    {
        internal ClientBaseConfiguration(CallInvoker undecoratedCallInvoker, string? host)
        {
            UndecoratedCallInvoker = undecoratedCallInvoker;
            Host = host;
        }

        internal CallInvoker UndecoratedCallInvoker { get; }

        internal string? Host { get; }

        internal ClientBaseConfiguration WithHost(string host) => new(UndecoratedCallInvoker, host ?? throw new ArgumentNullException(nameof(host)));

        internal CallInvoker CreateDecoratedCallInvoker() =>
            Host is null ? UndecoratedCallInvoker : new HostOverridingCallInvoker(UndecoratedCallInvoker, Host);
    }

    private sealed class HostOverridingCallInvoker(CallInvoker inner, string host) : CallInvoker
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? ignored, CallOptions options, TRequest request) =>
            inner.BlockingUnaryCall(method, host, options, request);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? ignored, CallOptions options, TRequest request) =>
            inner.AsyncUnaryCall(method, host, options, request);

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? ignored, CallOptions options, TRequest request) =>
            inner.AsyncServerStreamingCall(method, host, options, request);

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? ignored, CallOptions options) =>
            inner.AsyncClientStreamingCall(method, host, options);

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? ignored, CallOptions options) =>
            inner.AsyncDuplexStreamingCall(method, host, options);
    }

    private sealed class UnimplementedCallInvoker : CallInvoker
    {
        private static RpcException Unimplemented() => new(new Status(StatusCode.Unimplemented, "This client has no channel."));

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw Unimplemented();

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw Unimplemented();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw Unimplemented();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw Unimplemented();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw Unimplemented();
    }
}

/// <summary>Base class of generated clients, with <see cref="WithHost"/>.</summary>
public abstract class ClientBase<T> : ClientBase
    where T : ClientBase<T>
{
    /// <summary>For test doubles.</summary>
    protected ClientBase()
    {
    }

    /// <summary>Creates a client from a configuration.</summary>
    protected ClientBase(ClientBaseConfiguration configuration)
        : base(configuration)
    {
    }

    /// <summary>Creates a client over a channel.</summary>
    protected ClientBase(ChannelBase channel)
        : base(channel)
    {
    }

    /// <summary>Creates a client over a call invoker.</summary>
    protected ClientBase(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    /// <summary>A copy of this client that sends calls to another host (<c>:authority</c>).</summary>
    public T WithHost(string host) => NewInstance(Configuration.WithHost(host));

    /// <summary>Creates a new client of the derived type.</summary>
    protected abstract T NewInstance(ClientBaseConfiguration configuration);
}
