using Grpc.AspNetCore.Server.Internal;
using Grpc.HealthCheck;
using Grpc.Reflection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the standard gRPC services; <c>AddGrpc()</c> registers what they need.</summary>
public static class StandardGrpcServicesExtensions
{
    /// <summary>Maps <c>grpc.health.v1.Health</c>. Set statuses through the <see cref="HealthServiceImpl"/> singleton.</summary>
    public static IEndpointConventionBuilder MapGrpcHealthService(this IEndpointRouteBuilder builder) =>
        builder.MapGrpcService<HealthServiceImpl>();

    /// <summary>Maps server reflection, v1 and v1alpha, so grpcurl, grpcui and Postman can discover the API.</summary>
    public static IEndpointConventionBuilder MapGrpcReflectionService(this IEndpointRouteBuilder builder)
    {
        var v1 = builder.MapGrpcService<ReflectionServiceImpl>();
        var v1Alpha = builder.MapGrpcService<ReflectionV1AlphaServiceImpl>();
        return new Both(v1, v1Alpha);
    }

    internal static void AddStandardServices(IServiceCollection services)
    {
        services.AddSingleton<HealthServiceImpl>();
        services.AddSingleton(sp => new ReflectionIndex(sp.GetRequiredService<GrpcServiceRegistry>()));
        services.AddSingleton(sp => new ReflectionServiceImpl(sp.GetRequiredService<ReflectionIndex>()));
        services.AddSingleton(sp => new ReflectionV1AlphaServiceImpl(sp.GetRequiredService<ReflectionIndex>()));
    }

    private sealed class Both(IEndpointConventionBuilder first, IEndpointConventionBuilder second) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            first.Add(convention);
            second.Add(convention);
        }
    }
}
