using System.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Internal;
using Grpc.Core;
using Grpc.Core.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Registers the gRPC runtime.</summary>
    public static class GrpcServicesExtensions
    {
        /// <summary>Adds gRPC services support; call <c>MapGrpcService&lt;T&gt;()</c> to expose a service.</summary>
        public static IGrpcServerBuilder AddGrpc(this IServiceCollection services, Action<GrpcServiceOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(services);
            services.AddRouting();
            services.AddOptions<GrpcServiceOptions>();
            if (configure is not null)
            {
                services.Configure(configure);
            }
            if (!services.Any(d => d.ServiceType == typeof(GrpcServiceRegistry)))
            {
                services.AddSingleton<GrpcServiceRegistry>();
                services.AddSingleton(new GrpcServiceLifetimes(services));
                Microsoft.AspNetCore.Builder.StandardGrpcServicesExtensions.AddStandardServices(services);
            }
            return new GrpcServerBuilder(services);
        }

        private sealed class GrpcServerBuilder(IServiceCollection services) : IGrpcServerBuilder
        {
            public IServiceCollection Services { get; } = services;
        }
    }

    /// <summary>Returned by <c>AddGrpc</c> for further configuration.</summary>
    public interface IGrpcServerBuilder
    {
        /// <summary>The service collection.</summary>
        IServiceCollection Services { get; }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps gRPC services onto endpoint routing.</summary>
    public static class GrpcEndpointRouteBuilderExtensions
    {
        /// <summary>Exposes the methods of <typeparamref name="TService"/>, a class derived from a generated service base.</summary>
        public static IEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder builder)
            where TService : class
        {
            ArgumentNullException.ThrowIfNull(builder);
            var services = builder.ServiceProvider;
            var registry = services.GetService<GrpcServiceRegistry>()
                ?? throw new InvalidOperationException("Call services.AddGrpc() before MapGrpcService<T>().");
            var options = services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
            var registered = services.GetService<IServiceProviderIsService>()?.IsService(typeof(TService)) == true;
            var singleton = registered && services.GetService<GrpcServiceLifetimes>()?.IsSingleton(typeof(TService)) == true;
            var binder = new EndpointServiceBinder<TService>(
                builder,
                new MethodOptions(options),
                new ServiceActivator<TService>(registered, singleton ? services : null),
                services.GetService<IGrpcCallObserver>(),
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Grpc.AspNetCore.Server.ServerCallHandler"));

            var bindMethod = FindBindMethod(typeof(TService));
            bindMethod.Invoke(null, [binder, null]);
            if (binder.ServiceName is null)
            {
                throw new InvalidOperationException($"{typeof(TService)} has no gRPC methods.");
            }
            registry.Add(binder.ServiceName, typeof(TService));

            if (registry.TryClaimFallback())
            {
                MapUnimplemented(builder, registry, services.GetService<IGrpcCallObserver>(), new MethodOptions(options));
            }
            return new CompositeConventionBuilder(binder.Endpoints);
        }

        private static MethodInfo FindBindMethod(Type serviceType)
        {
            for (var type = serviceType; type is not null; type = type.BaseType)
            {
                var attribute = type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false);
                if (attribute is null)
                {
                    continue;
                }
                var method = attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(ServiceBinderBase), type]);
                if (method is not null)
                {
                    return method;
                }
            }
            throw new InvalidOperationException($"{serviceType} does not derive from a generated gRPC service base (no [BindServiceMethod] attribute found).");
        }

        private static void MapUnimplemented(IEndpointRouteBuilder builder, GrpcServiceRegistry registry, IGrpcCallObserver? observer, MethodOptions options)
        {
            var logger = builder.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Grpc.AspNetCore.Server.Unimplemented");
            var endpoint = builder.Map(RoutePatternFactory.Parse("{unimplementedService}/{unimplementedMethod}"), httpContext =>
            {
                // Any HTTP method reaches this endpoint: a non-POST to a known gRPC method is 405, to anything else 404.
                if (!HttpMethods.IsPost(httpContext.Request.Method))
                {
                    var path = httpContext.Request.Path.Value ?? "";
                    if (registry.ContainsMethod(path))
                    {
                        httpContext.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                        httpContext.Response.Headers.Allow = "POST";
                        return Task.CompletedTask;
                    }
                    httpContext.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }
                if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
                {
                    httpContext.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }
                var service = (string)httpContext.Request.RouteValues["unimplementedService"]!;
                var methodName = (string)httpContext.Request.RouteValues["unimplementedMethod"]!;
                var method = new UnimplementedMethod(service, methodName);
                var call = new HttpContextServerCallContext(httpContext, options, method, logger);
                observer?.OnCallStarted(httpContext, method.FullName, method.Type);
                var status = new Status(StatusCode.Unimplemented, registry.Contains(service) ? "Method is unimplemented." : "Service is unimplemented.");
                call.EndWithStatus(status);
                observer?.OnCallCompleted(httpContext, method.FullName, method.Type, status, call.Elapsed);
                return Task.CompletedTask;
            });
            endpoint.WithDisplayName("gRPC - Unimplemented service or method");
            endpoint.Add(b => ((RouteEndpointBuilder)b).Order = int.MaxValue);
        }

        private sealed class UnimplementedMethod(string service, string name) : IMethod
        {
            public MethodType Type => MethodType.Unary;

            public string ServiceName { get; } = service;

            public string Name { get; } = name;

            public string FullName { get; } = "/" + service + "/" + name;
        }

        private sealed class CompositeConventionBuilder(List<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
        {
            public void Add(Action<EndpointBuilder> convention)
            {
                foreach (var builder in builders)
                {
                    builder.Add(convention);
                }
            }
        }
    }
}

namespace Grpc.AspNetCore.Server.Internal
{
    /// <summary>The services mapped in this application, for reflection and for UNIMPLEMENTED messages.</summary>
    internal sealed class GrpcServiceRegistry
    {
        private readonly Dictionary<string, Type> _services = new(StringComparer.Ordinal);
        private readonly HashSet<string> _methods = new(StringComparer.Ordinal);
        private int _fallbackMapped;

        public void Add(string serviceName, Type serviceType)
        {
            lock (_services)
            {
                _services[serviceName] = serviceType;
            }
        }

        public void AddMethod(string fullName)
        {
            lock (_services)
            {
                _methods.Add(fullName);
            }
        }

        public bool ContainsMethod(string fullName)
        {
            lock (_services)
            {
                return _methods.Contains(fullName);
            }
        }

        public bool Contains(string serviceName)
        {
            lock (_services)
            {
                return _services.ContainsKey(serviceName);
            }
        }

        public IReadOnlyList<(string Name, Type Type)> Services
        {
            get
            {
                lock (_services)
                {
                    return _services.Select(kv => (kv.Key, kv.Value)).ToArray();
                }
            }
        }

        public bool TryClaimFallback() => Interlocked.Exchange(ref _fallbackMapped, 1) == 0;
    }

    /// <summary>
    /// The app's service registrations, read when services are mapped (the collection is complete by then), so that a
    /// service class registered as a singleton is resolved once instead of through a DI scope on every call.
    /// </summary>
    internal sealed class GrpcServiceLifetimes(IServiceCollection services)
    {
        public bool IsSingleton(Type serviceType) =>
            services.LastOrDefault(d => d.ServiceType == serviceType && !d.IsKeyedService)?.Lifetime == ServiceLifetime.Singleton;
    }

    /// <summary>Receives method definitions from generated BindService code and maps each to an endpoint.</summary>
    internal sealed class EndpointServiceBinder<TService>(
        IEndpointRouteBuilder builder,
        MethodOptions options,
        ServiceActivator<TService> activator,
        IGrpcCallObserver? observer,
        ILogger logger) : ServiceBinderBase
        where TService : class
    {
        public List<IEndpointConventionBuilder> Endpoints { get; } = [];

        public string? ServiceName { get; private set; }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            Map(method, new UnaryServerCallHandler<TService, TRequest, TResponse>(method, options, activator, observer, logger).HandleCallAsync);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            Map(method, new ClientStreamingServerCallHandler<TService, TRequest, TResponse>(method, options, activator, observer, logger).HandleCallAsync);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            Map(method, new ServerStreamingServerCallHandler<TService, TRequest, TResponse>(method, options, activator, observer, logger).HandleCallAsync);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            Map(method, new DuplexStreamingServerCallHandler<TService, TRequest, TResponse>(method, options, activator, observer, logger).HandleCallAsync);

        private void Map(IMethod method, RequestDelegate handler)
        {
            ServiceName ??= method.ServiceName;
            builder.ServiceProvider.GetRequiredService<GrpcServiceRegistry>().AddMethod(method.FullName);
            var endpoint = builder.Map(RoutePatternFactory.Parse(method.FullName), handler);
            endpoint.WithMetadata(new HttpMethodMetadata(["POST"]), new GrpcMethodMetadata(typeof(TService), method));
            endpoint.WithDisplayName($"gRPC - {method.FullName}");
            Endpoints.Add(endpoint);
        }
    }
}

namespace Grpc.AspNetCore.Server
{
    /// <summary>Endpoint metadata naming the gRPC method an endpoint serves.</summary>
    public sealed class GrpcMethodMetadata(Type serviceType, IMethod method)
    {
        /// <summary>The implementing service type.</summary>
        public Type ServiceType { get; } = serviceType;

        /// <summary>The method.</summary>
        public IMethod Method { get; } = method;
    }
}
