using Grpc.Core;

namespace AstralytiQ.Server.Infrastructure.Auth;

/// <summary>Roles in a tenant, ordered: each includes the rights of those below it.</summary>
public enum Role
{
    Viewer = 1,
    Analyst = 2,
    Admin = 3,
}

/// <summary>Service tier of a user; it sets the rate limits.</summary>
public enum Tier
{
    Free = 0,
    Premium = 1,
}

/// <summary>How the caller proved who they are.</summary>
public enum CallerKind
{
    User,
    ApiKey,
}

/// <summary>
/// The authenticated caller of a gRPC method, put on the call by the auth interceptor. Every store
/// call takes <see cref="TenantId"/> from here, never from a request message.
/// </summary>
public sealed record Caller(Guid UserId, Guid TenantId, string Email, Role Role, Tier Tier, CallerKind Kind, Guid? ApiKeyId = null)
{
    internal static readonly object Key = new();

    public bool IsAtLeast(Role role) => Role >= role;
}

public static class CallerExtensions
{
    /// <summary>The authenticated caller; UNAUTHENTICATED if the method was not authenticated (a wiring bug, failing closed).</summary>
    public static Caller GetCaller(this ServerCallContext context) =>
        context.UserState.TryGetValue(Caller.Key, out var caller) && caller is Caller value
            ? value
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "This method requires a signed-in caller."));

    public static Caller? FindCaller(this ServerCallContext context) =>
        context.UserState.TryGetValue(Caller.Key, out var caller) ? caller as Caller : null;

    internal static void SetCaller(this ServerCallContext context, Caller caller) => context.UserState[Caller.Key] = caller;
}
