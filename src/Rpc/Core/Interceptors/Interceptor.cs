namespace Grpc.Core.Interceptors;

/// <summary>The method, host and options of a client call seen by an interceptor.</summary>
public readonly struct ClientInterceptorContext<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    /// <summary>Creates a context.</summary>
    public ClientInterceptorContext(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        Method = method;
        Host = host;
        Options = options;
    }

    /// <summary>The method being called.</summary>
    public Method<TRequest, TResponse> Method { get; }

    /// <summary>The host override, or null.</summary>
    public string? Host { get; }

    /// <summary>The call options; an interceptor may pass on a changed copy.</summary>
    public CallOptions Options { get; }
}

/// <summary>
/// Intercepts calls on the client (wrapping a <see cref="CallInvoker"/>) or the server (registered
/// with <c>AddGrpc(o =&gt; o.Interceptors.Add&lt;T&gt;())</c>). Each method passes through by default.
/// </summary>
public abstract class Interceptor
{
    /// <summary>Continues a blocking unary call.</summary>
    public delegate TResponse BlockingUnaryCallContinuation<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class;

    /// <summary>Continues an asynchronous unary call.</summary>
    public delegate AsyncUnaryCall<TResponse> AsyncUnaryCallContinuation<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class;

    /// <summary>Continues a server-streaming call.</summary>
    public delegate AsyncServerStreamingCall<TResponse> AsyncServerStreamingCallContinuation<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class;

    /// <summary>Continues a client-streaming call.</summary>
    public delegate AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCallContinuation<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class;

    /// <summary>Continues a duplex-streaming call.</summary>
    public delegate AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCallContinuation<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class;

    /// <summary>Intercepts a blocking unary call.</summary>
    public virtual TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(request, context);

    /// <summary>Intercepts an asynchronous unary call.</summary>
    public virtual AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(request, context);

    /// <summary>Intercepts a server-streaming call.</summary>
    public virtual AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(request, context);

    /// <summary>Intercepts a client-streaming call.</summary>
    public virtual AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(context);

    /// <summary>Intercepts a duplex-streaming call.</summary>
    public virtual AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(context);

    /// <summary>Intercepts a unary call on the server.</summary>
    public virtual Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(request, context);

    /// <summary>Intercepts a client-streaming call on the server.</summary>
    public virtual Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(requestStream, context);

    /// <summary>Intercepts a server-streaming call on the server.</summary>
    public virtual Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(request, responseStream, context);

    /// <summary>Intercepts a duplex-streaming call on the server.</summary>
    public virtual Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
        where TRequest : class
        where TResponse : class => continuation(requestStream, responseStream, context);
}

/// <summary>Wraps call invokers and channels with client interceptors.</summary>
public static class CallInvokerExtensions
{
    /// <summary>Returns an invoker whose calls pass through <paramref name="interceptor"/> first.</summary>
    public static CallInvoker Intercept(this CallInvoker invoker, Interceptor interceptor)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(interceptor);
        return new InterceptingCallInvoker(invoker, interceptor);
    }

    /// <summary>Returns an invoker whose calls pass through the interceptors, the first one outermost.</summary>
    public static CallInvoker Intercept(this CallInvoker invoker, params Interceptor[] interceptors)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(interceptors);
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            invoker = Intercept(invoker, interceptors[i]);
        }
        return invoker;
    }

    /// <summary>Returns an invoker that lets <paramref name="interceptor"/> replace each call's request headers.</summary>
    public static CallInvoker Intercept(this CallInvoker invoker, Func<Metadata, Metadata> interceptor) =>
        Intercept(invoker, new MetadataInterceptor(interceptor ?? throw new ArgumentNullException(nameof(interceptor))));

    /// <summary>Returns an invoker over the channel whose calls pass through <paramref name="interceptor"/>.</summary>
    public static CallInvoker Intercept(this ChannelBase channel, Interceptor interceptor)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return Intercept(channel.CreateCallInvoker(), interceptor);
    }

    private sealed class MetadataInterceptor(Func<Metadata, Metadata> transform) : Interceptor
    {
        private ClientInterceptorContext<TRequest, TResponse> Transform<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
            where TRequest : class
            where TResponse : class =>
            new(context.Method, context.Host, context.Options.WithHeaders(transform(context.Options.Headers ?? [])));

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, Transform(context));

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, Transform(context));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, Transform(context));

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(Transform(context));

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(Transform(context));
    }
}

internal sealed class InterceptingCallInvoker(CallInvoker inner, Interceptor interceptor) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        interceptor.BlockingUnaryCall(request, new ClientInterceptorContext<TRequest, TResponse>(method, host, options),
            (r, c) => inner.BlockingUnaryCall(c.Method, c.Host, c.Options, r));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        interceptor.AsyncUnaryCall(request, new ClientInterceptorContext<TRequest, TResponse>(method, host, options),
            (r, c) => inner.AsyncUnaryCall(c.Method, c.Host, c.Options, r));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        interceptor.AsyncServerStreamingCall(request, new ClientInterceptorContext<TRequest, TResponse>(method, host, options),
            (r, c) => inner.AsyncServerStreamingCall(c.Method, c.Host, c.Options, r));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        interceptor.AsyncClientStreamingCall(new ClientInterceptorContext<TRequest, TResponse>(method, host, options),
            c => inner.AsyncClientStreamingCall(c.Method, c.Host, c.Options));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        interceptor.AsyncDuplexStreamingCall(new ClientInterceptorContext<TRequest, TResponse>(method, host, options),
            c => inner.AsyncDuplexStreamingCall(c.Method, c.Host, c.Options));
}
