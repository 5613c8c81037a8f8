using System.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Core.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>
/// Creates service instances per call: from DI when registered there, else with ActivatorUtilities (and disposed after).
/// A service registered as a singleton is resolved once from <paramref name="singletonProvider"/> (the root provider):
/// it is the same instance either way, and calls to it then never create the request's DI scope.
/// </summary>
internal sealed class ServiceActivator<TService>(bool registeredInContainer, IServiceProvider? singletonProvider = null)
    where TService : class
{
    private readonly ObjectFactory? _factory = registeredInContainer ? null : ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes);
    private TService? _singleton;

    public bool CreatesInstances => _factory is not null;

    public TService Create(HttpContext httpContext)
    {
        if (singletonProvider is not null)
        {
            return _singleton ??= singletonProvider.GetRequiredService<TService>();
        }
        // The first use of RequestServices creates the request's DI scope.
        var services = httpContext.RequestServices;
        return _factory is null ? services.GetRequiredService<TService>() : (TService)_factory(services, null);
    }

    public static ValueTask ReleaseAsync(TService service)
    {
        if (service is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }
        (service as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Shared by the four call kinds: request checks, limits, error mapping, the status at the end.</summary>
internal abstract class ServerCallHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    MethodOptions options,
    ServiceActivator<TService> activator,
    IGrpcCallObserver? observer,
    ILogger logger)
    where TService : class
    where TRequest : class
    where TResponse : class
{
    protected Method<TRequest, TResponse> Method { get; } = method;

    protected MethodOptions Options { get; } = options;

    protected ServiceActivator<TService> Activator { get; } = activator;

    public Task HandleCallAsync(HttpContext httpContext)
    {
        var call = new HttpContextServerCallContext(httpContext, Options, Method, logger);
        observer?.OnCallStarted(httpContext, Method.FullName, Method.Type);

        if (!HttpProtocol.IsHttp2(httpContext.Request.Protocol) && !HttpProtocol.IsHttp3(httpContext.Request.Protocol))
        {
            return RejectAsync(call, StatusCodes.Status426UpgradeRequired, new Status(StatusCode.Internal, $"Request protocol '{httpContext.Request.Protocol}' is not supported; gRPC needs HTTP/2."));
        }
        if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            return RejectAsync(call, StatusCodes.Status415UnsupportedMediaType, new Status(StatusCode.Internal, $"Content-Type '{httpContext.Request.ContentType}' is not supported."));
        }
        if (call.Initialize() is { } refused)
        {
            return RejectAsync(call, StatusCodes.Status200OK, refused);
        }

        // Message size is governed by MaxReceiveMessageSize, not Kestrel's whole-body limit, and a
        // stream may idle for as long as the application likes.
        var maxBodySize = httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (maxBodySize is { IsReadOnly: false })
        {
            maxBodySize.MaxRequestBodySize = null;
        }
        if (Method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming)
        {
            var minRate = httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>();
            if (minRate is not null)
            {
                minRate.MinDataRate = null;
            }
        }

        call.ArmDeadline();
        Task task;
        try
        {
            task = HandleCallCoreAsync(call);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }
        return task.IsCompletedSuccessfully ? EndAsync(call) : AwaitAndEndAsync(task, call);
    }

    protected abstract Task HandleCallCoreAsync(HttpContextServerCallContext call);

    private async Task AwaitAndEndAsync(Task task, HttpContextServerCallContext call)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.ProcessHandlerError(ex);
        }
        await EndAsync(call).ConfigureAwait(false);
    }

    private Task EndAsync(HttpContextServerCallContext call)
    {
        var end = call.EndCallAsync();
        if (!end.IsCompletedSuccessfully)
        {
            return AwaitEndAsync(end, call);
        }
        observer?.OnCallCompleted(call.HttpContext, Method.FullName, Method.Type, call.FinalStatus, call.Elapsed);
        return Task.CompletedTask;
    }

    private async Task AwaitEndAsync(ValueTask end, HttpContextServerCallContext call)
    {
        await end.ConfigureAwait(false);
        observer?.OnCallCompleted(call.HttpContext, Method.FullName, Method.Type, call.FinalStatus, call.Elapsed);
    }

    private Task RejectAsync(HttpContextServerCallContext call, int httpStatus, Status status)
    {
        call.HttpContext.Response.StatusCode = httpStatus;
        call.EndWithStatus(status);
        observer?.OnCallCompleted(call.HttpContext, Method.FullName, Method.Type, status, call.Elapsed);
        return Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="invoke"/> on a service instance, releasing instances the runtime created.</summary>
    protected Task<TResult> InvokeServiceAsync<TResult>(ServerCallContext context, Func<TService, Task<TResult>> invoke)
    {
        var httpContext = context.GetHttpContext();
        var service = Activator.Create(httpContext);
        return Activator.CreatesInstances ? InvokeAndReleaseAsync(service, invoke) : invoke(service);
    }

    private static async Task<TResult> InvokeAndReleaseAsync<TResult>(TService service, Func<TService, Task<TResult>> invoke)
    {
        try
        {
            return await invoke(service).ConfigureAwait(false);
        }
        finally
        {
            await ServiceActivator<TService>.ReleaseAsync(service).ConfigureAwait(false);
        }
    }

    /// <summary>Resolves the configured interceptors for a call, outermost first; created ones are disposed when the call ends.</summary>
    protected Interceptor[] ResolveInterceptors(HttpContextServerCallContext call)
    {
        var registrations = Options.Interceptors;
        var interceptors = new Interceptor[registrations.Length];
        for (var i = 0; i < registrations.Length; i++)
        {
            var (interceptor, created) = registrations[i].Resolve(call.HttpContext.RequestServices);
            interceptors[i] = interceptor;
            if (created && interceptor is IDisposable disposable)
            {
                call.HttpContext.Response.RegisterForDispose(disposable);
            }
        }
        return interceptors;
    }

    internal static MethodInfo FindServiceMethod(string name, params Type[] parameterTypes) =>
        typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameterTypes)
        ?? throw new InvalidOperationException($"Could not find a public method {name}({string.Join(", ", parameterTypes.Select(t => t.Name))}) on {typeof(TService)}.");
}

internal sealed class UnaryServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, TRequest, ServerCallContext, Task<TResponse>> _serviceMethod;
    private readonly UnaryServerMethod<TRequest, TResponse> _invokeService;

    public UnaryServerCallHandler(Method<TRequest, TResponse> method, MethodOptions options, ServiceActivator<TService> activator, IGrpcCallObserver? observer, ILogger logger)
        : base(method, options, activator, observer, logger)
    {
        _serviceMethod = FindServiceMethod(method.Name, typeof(TRequest), typeof(ServerCallContext))
            .CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>();
        _invokeService = InvokeService;
    }

    protected override async Task HandleCallCoreAsync(HttpContextServerCallContext call)
    {
        var request = await call.ReadSingleMessageAsync(Method.RequestMarshaller.ContextualDeserializer).ConfigureAwait(false);
        var response = await Invoke(request, call).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The handler of {Method.FullName} returned no response message.");
        if (call.Status.StatusCode == StatusCode.OK)
        {
            await call.WriteUnaryResponseAsync(response, Method.ResponseMarshaller.ContextualSerializer).ConfigureAwait(false);
        }
    }

    private Task<TResponse> Invoke(TRequest request, HttpContextServerCallContext call)
    {
        if (Options.Interceptors.Length == 0)
        {
            return InvokeService(request, call);
        }
        var next = _invokeService;
        var interceptors = ResolveInterceptors(call);
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var inner = next;
            next = (r, c) => interceptor.UnaryServerHandler(r, c, inner);
        }
        return next(request, call);
    }

    private Task<TResponse> InvokeService(TRequest request, ServerCallContext context)
    {
        if (!Activator.CreatesInstances)
        {
            return _serviceMethod(Activator.Create(context.GetHttpContext()), request, context);
        }
        return InvokeServiceAsync(context, service => _serviceMethod(service, request, context));
    }
}

internal sealed class ClientStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> _serviceMethod;

    public ClientStreamingServerCallHandler(Method<TRequest, TResponse> method, MethodOptions options, ServiceActivator<TService> activator, IGrpcCallObserver? observer, ILogger logger)
        : base(method, options, activator, observer, logger)
    {
        _serviceMethod = FindServiceMethod(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext))
            .CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>();
    }

    protected override async Task HandleCallCoreAsync(HttpContextServerCallContext call)
    {
        var reader = new HttpContextStreamReader<TRequest>(call, Method.RequestMarshaller.ContextualDeserializer);
        ClientStreamingServerMethod<TRequest, TResponse> next = (stream, context) => InvokeServiceAsync(context, service => _serviceMethod(service, stream, context));
        var interceptors = ResolveInterceptors(call);
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var inner = next;
            next = (s, c) => interceptor.ClientStreamingServerHandler(s, c, inner);
        }
        var response = await next(reader, call).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The handler of {Method.FullName} returned no response message.");
        if (call.Status.StatusCode == StatusCode.OK)
        {
            await call.WriteUnaryResponseAsync(response, Method.ResponseMarshaller.ContextualSerializer).ConfigureAwait(false);
        }
    }
}

internal sealed class ServerStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> _serviceMethod;

    public ServerStreamingServerCallHandler(Method<TRequest, TResponse> method, MethodOptions options, ServiceActivator<TService> activator, IGrpcCallObserver? observer, ILogger logger)
        : base(method, options, activator, observer, logger)
    {
        _serviceMethod = FindServiceMethod(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext))
            .CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>();
    }

    protected override async Task HandleCallCoreAsync(HttpContextServerCallContext call)
    {
        var request = await call.ReadSingleMessageAsync(Method.RequestMarshaller.ContextualDeserializer).ConfigureAwait(false);
        var writer = new HttpContextStreamWriter<TResponse>(call, Method.ResponseMarshaller.ContextualSerializer);
        ServerStreamingServerMethod<TRequest, TResponse> next = (r, w, context) => InvokeServiceAsync(context, async service =>
        {
            await _serviceMethod(service, r, w, context).ConfigureAwait(false);
            return true;
        });
        var interceptors = ResolveInterceptors(call);
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var inner = next;
            next = (r, w, c) => interceptor.ServerStreamingServerHandler(r, w, c, inner);
        }
        await next(request, writer, call).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingServerCallHandler<TService, TRequest, TResponse> : ServerCallHandler<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    private readonly Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> _serviceMethod;

    public DuplexStreamingServerCallHandler(Method<TRequest, TResponse> method, MethodOptions options, ServiceActivator<TService> activator, IGrpcCallObserver? observer, ILogger logger)
        : base(method, options, activator, observer, logger)
    {
        _serviceMethod = FindServiceMethod(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext))
            .CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>();
    }

    protected override async Task HandleCallCoreAsync(HttpContextServerCallContext call)
    {
        var reader = new HttpContextStreamReader<TRequest>(call, Method.RequestMarshaller.ContextualDeserializer);
        var writer = new HttpContextStreamWriter<TResponse>(call, Method.ResponseMarshaller.ContextualSerializer);
        DuplexStreamingServerMethod<TRequest, TResponse> next = (r, w, context) => InvokeServiceAsync(context, async service =>
        {
            await _serviceMethod(service, r, w, context).ConfigureAwait(false);
            return true;
        });
        var interceptors = ResolveInterceptors(call);
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var inner = next;
            next = (r, w, c) => interceptor.DuplexStreamingServerHandler(r, w, c, inner);
        }
        await next(reader, writer, call).ConfigureAwait(false);
    }
}

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class HttpContextStreamReader<T>(HttpContextServerCallContext call, Func<DeserializationContext, T> deserializer) : IAsyncStreamReader<T>
{
    private bool _reading;
    private bool _completed;

    public T Current { get; private set; } = default!;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return false;
        }
        if (_reading)
        {
            throw new InvalidOperationException("Can't read the next message because the previous read is still in progress.");
        }
        _reading = true;
        var callToken = call.CancellationToken;
        using var linked = cancellationToken.CanBeCanceled && cancellationToken != callToken
            ? CancellationTokenSource.CreateLinkedTokenSource(callToken, cancellationToken)
            : null;
        try
        {
            var (hasMessage, message) = await call.ReadStreamMessageAsync(deserializer, linked?.Token ?? callToken).ConfigureAwait(false);
            if (!hasMessage)
            {
                _completed = true;
                Current = default!;
                return false;
            }
            Current = message!;
            return true;
        }
        finally
        {
            _reading = false;
        }
    }
}

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class HttpContextStreamWriter<T>(HttpContextServerCallContext call, Action<T, SerializationContext> serializer) : IServerStreamWriter<T>
{
    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return call.WriteStreamMessageAsync(message, serializer, WriteOptions, cancellationToken);
    }
}
