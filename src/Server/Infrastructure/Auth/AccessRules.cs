using System.Collections.Concurrent;
using System.Reflection;
using Grpc.AspNetCore.Server;

namespace AstralytiQ.Server.Infrastructure.Auth;

/// <summary>The access rule of one gRPC method, read once from its attributes.</summary>
public sealed record AccessRule(bool IsPublic, Role? RequiredRole, RateLimitClass RateLimitClass);

/// <summary>
/// Reads [PublicMethod], [RequireRole] and [RateLimited] from service implementations. A method of
/// ours with neither public nor role attribute gets no access at all (fail closed).
/// </summary>
public sealed class AccessRules
{
    // The standard services: health for probes and load balancers, reflection for grpcurl and Postman.
    private static readonly HashSet<string> PublicServices = new(StringComparer.Ordinal)
    {
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    };

    private readonly ConcurrentDictionary<string, AccessRule> _rules = new(StringComparer.Ordinal);

    public AccessRule For(HttpContext httpContext, string method)
    {
        if (_rules.TryGetValue(method, out var rule))
        {
            return rule;
        }
        var metadata = httpContext.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>();
        rule = metadata is null ? new AccessRule(false, null, RateLimitClass.General) : Read(metadata);
        return _rules.GetOrAdd(method, rule);
    }

    public static AccessRule Read(GrpcMethodMetadata metadata)
    {
        if (PublicServices.Contains(metadata.Method.ServiceName))
        {
            return new AccessRule(true, null, RateLimitClass.General);
        }
        var method = metadata.ServiceType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(m => m.Name == metadata.Method.Name && m.DeclaringType != typeof(object));
        var type = metadata.ServiceType;
        var isPublic = method?.GetCustomAttribute<PublicMethodAttribute>() is not null
            || (method?.GetCustomAttribute<RequireRoleAttribute>() is null && type.GetCustomAttribute<PublicMethodAttribute>() is not null);
        var role = method?.GetCustomAttribute<RequireRoleAttribute>()?.Role ?? type.GetCustomAttribute<RequireRoleAttribute>()?.Role;
        var limitClass = method?.GetCustomAttribute<RateLimitedAttribute>()?.Class ?? RateLimitClass.General;
        return new AccessRule(isPublic, isPublic ? null : role, limitClass);
    }
}
