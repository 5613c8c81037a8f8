namespace AstralytiQ.Server.Infrastructure.Auth;

/// <summary>The least role a caller needs for a gRPC method (on the method, or on the service class as its default).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true)]
public sealed class RequireRoleAttribute(Role role) : Attribute
{
    public Role Role { get; } = role;
}

/// <summary>A method anyone may call without credentials (sign-up, login, refresh, password reset, status).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true)]
public sealed class PublicMethodAttribute : Attribute;

/// <summary>Which rate-limit budget a method spends.</summary>
public enum RateLimitClass
{
    /// <summary>Most methods: a generous hourly budget.</summary>
    General,

    /// <summary>Methods that run queries against tenant data (SQL, questions): 100/h free, 1000/h premium.</summary>
    Query,
}

/// <summary>Puts a method in a rate-limit class other than <see cref="RateLimitClass.General"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RateLimitedAttribute(RateLimitClass limitClass) : Attribute
{
    public RateLimitClass Class { get; } = limitClass;
}
