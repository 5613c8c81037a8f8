using System.Collections.ObjectModel;
using System.IO.Compression;
using Grpc.Core.Interceptors;
using Grpc.Net.Compression;
using Microsoft.AspNetCore.Http;

namespace Grpc.AspNetCore.Server;

/// <summary>Options for gRPC services hosted on ASP.NET Core.</summary>
public sealed class GrpcServiceOptions
{
    /// <summary>Largest request message accepted, in bytes; default 4 MiB; null for no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = Grpc.Core.Internal.GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message sent, in bytes; default no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>When true, handler exception types and messages are sent to clients. Off by default: they can leak internals.</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Compresses responses with this encoding (e.g. <c>gzip</c>) when the client accepts it.</summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    /// <summary>Compression level for responses.</summary>
    public CompressionLevel? ResponseCompressionLevel { get; set; }

    /// <summary>Encodings the server can decode and encode; gzip and deflate by default.</summary>
    public IList<ICompressionProvider> CompressionProviders { get; } = new List<ICompressionProvider>(Grpc.Net.Compression.CompressionHelper.DefaultProviders());

    /// <summary>Server interceptors, outermost first.</summary>
    public InterceptorCollection Interceptors { get; } = [];
}

/// <summary>An ordered list of server interceptor registrations.</summary>
public sealed class InterceptorCollection : Collection<InterceptorRegistration>
{
    /// <summary>Adds an interceptor type; it is resolved from DI when registered there, or created per call with <paramref name="args"/>.</summary>
    public void Add<TInterceptor>(params object[] args)
        where TInterceptor : Interceptor => Add(new InterceptorRegistration(typeof(TInterceptor), args));

    /// <summary>Adds an interceptor type.</summary>
    public void Add(Type interceptorType, params object[] args) => Add(new InterceptorRegistration(interceptorType, args));
}

/// <summary>One registered server interceptor.</summary>
public sealed class InterceptorRegistration
{
    private Microsoft.Extensions.DependencyInjection.ObjectFactory? _factory;

    /// <summary>Creates a registration.</summary>
    public InterceptorRegistration(Type type, object[] arguments)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!typeof(Interceptor).IsAssignableFrom(type))
        {
            throw new ArgumentException($"Type {type} is not a {typeof(Interceptor)}.", nameof(type));
        }
        Type = type;
        Arguments = arguments ?? [];
    }

    /// <summary>The interceptor type.</summary>
    public Type Type { get; }

    /// <summary>Constructor arguments not supplied by DI.</summary>
    public IReadOnlyList<object> Arguments { get; }

    internal (Interceptor Interceptor, bool Created) Resolve(IServiceProvider services)
    {
        if (Arguments.Count == 0 && services.GetService(Type) is Interceptor registered)
        {
            return (registered, false);
        }
        _factory ??= Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateFactory(Type, Arguments.Select(a => a.GetType()).ToArray());
        return ((Interceptor)_factory(services, Arguments.ToArray()), true);
    }
}

/// <summary>
/// Sees every call the runtime handles, including those refused before a handler runs (unknown method,
/// bad content type, oversized message). Register one in DI to log or measure calls.
/// </summary>
public interface IGrpcCallObserver
{
    /// <summary>A call has begun.</summary>
    void OnCallStarted(HttpContext httpContext, string method, Grpc.Core.MethodType type);

    /// <summary>A call has ended with <paramref name="status"/> after <paramref name="elapsed"/>.</summary>
    void OnCallCompleted(HttpContext httpContext, string method, Grpc.Core.MethodType type, Grpc.Core.Status status, TimeSpan elapsed);
}
