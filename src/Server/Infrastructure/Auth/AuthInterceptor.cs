using System.Security.Cryptography;
using AstralytiQ.Server.Features.Identity;
using AstralytiQ.Server.Infrastructure.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace AstralytiQ.Server.Infrastructure.Auth;

/// <summary>
/// Authenticates every call except public methods (UNAUTHENTICATED for missing, malformed, expired,
/// wrongly signed or unsigned tokens, unknown or revoked keys, and users who were deactivated or whose
/// tokens were invalidated), then authorises by the method's declared role (PERMISSION_DENIED), and
/// puts the <see cref="Caller"/> on the call.
/// </summary>
public sealed class AuthInterceptor(AccessRules rules, Authenticator authenticator) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthoriseAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthoriseAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthoriseAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthoriseAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async Task AuthoriseAsync(ServerCallContext context)
    {
        var httpContext = context.GetHttpContext();
        var rule = rules.For(httpContext, context.Method);
        context.UserState[typeof(AccessRule)] = rule;
        if (rule.IsPublic)
        {
            // Public methods still know who calls when credentials are sent (e.g. Logout by a client that sends them anyway).
            return;
        }
        if (rule.RequiredRole is not { } required)
        {
            throw RpcErrors.PermissionDenied("This method is not available to callers.");
        }
        var caller = await authenticator.AuthenticateAsync(context.RequestHeaders, context.CancellationToken);
        context.SetCaller(caller);
        httpContext.User = TokenService.ToPrincipal(caller);
        if (!caller.IsAtLeast(required))
        {
            throw RpcErrors.PermissionDenied($"This needs the {RoleNames.ToText(required)} role; you are {RoleNames.ToText(caller.Role)}.");
        }
    }
}

/// <summary>Turns request credentials (bearer JWT, or an API key as bearer or x-api-key) into a <see cref="Caller"/>.</summary>
public sealed class Authenticator(TokenService tokens, IdentityStore users, ApiKeyStore apiKeys, Features.Usage.QuotaGuard plans)
{
    public const string ApiKeyPrefix = "astq_";

    public async Task<Caller> AuthenticateAsync(Metadata headers, CancellationToken cancellationToken)
    {
        var credential = ReadCredential(headers);
        return credential.StartsWith(ApiKeyPrefix, StringComparison.Ordinal)
            ? await AuthenticateApiKeyAsync(credential, cancellationToken)
            : await AuthenticateTokenAsync(credential, cancellationToken);
    }

    private static string ReadCredential(Metadata headers)
    {
        var authorization = headers.GetValue("authorization");
        if (authorization is not null)
        {
            const string bearer = "Bearer ";
            if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) || authorization.Length == bearer.Length)
            {
                throw RpcErrors.Unauthenticated("The authorization header must be 'Bearer <token or API key>'.");
            }
            return authorization[bearer.Length..].Trim();
        }
        return headers.GetValue("x-api-key")?.Trim() is { Length: > 0 } key
            ? key
            : throw RpcErrors.Unauthenticated("Sign in first: send 'authorization: Bearer <access token>' or an API key.");
    }

    private async Task<Caller> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
    {
        var (claims, error) = await tokens.ValidateAccessTokenAsync(token);
        if (claims is null)
        {
            throw RpcErrors.Unauthenticated(error!);
        }
        // Checked on every call, so deactivation, role changes and password changes take effect at once.
        var state = await users.GetUserStateAsync(claims.TenantId, claims.UserId, claims.SessionId, cancellationToken);
        if (state is null || state.Status != "active" || state.TokenVersion != claims.TokenVersion || !state.SessionActive)
        {
            throw RpcErrors.Unauthenticated(state?.Status == "deactivated"
                ? "This account has been deactivated."
                : "This session has ended; sign in again.");
        }
        return new Caller(claims.UserId, claims.TenantId, state.Email, RoleNames.ParseRole(state.Role), RoleNames.ParseTier(state.Tier), CallerKind.User);
    }

    private async Task<Caller> AuthenticateApiKeyAsync(string key, CancellationToken cancellationToken)
    {
        // astq_<8 hex>_<secret>
        var parts = key.Split('_');
        if (parts.Length != 3 || parts[1].Length != 8)
        {
            throw RpcErrors.Unauthenticated("The API key is not valid.");
        }
        var record = await apiKeys.FindByPrefixAsync(ApiKeyPrefix + parts[1], cancellationToken);
        if (record is null || !CryptographicOperations.FixedTimeEquals(record.KeyHash, TokenService.HashSecret(key)))
        {
            throw RpcErrors.Unauthenticated("The API key is not valid.");
        }
        if (record.RevokedAt is not null)
        {
            throw RpcErrors.Unauthenticated("The API key has been revoked.");
        }
        await apiKeys.TouchAsync(record.TenantId, record.Id, cancellationToken);
        // Service accounts get the tier of their tenant's plan.
        var plan = await plans.GetPlanAsync(record.TenantId, cancellationToken);
        var tier = plan is "premium" or "enterprise" ? Tier.Premium : Tier.Free;
        return new Caller(record.Id, record.TenantId, record.Name, RoleNames.ParseRole(record.Role), tier, CallerKind.ApiKey, record.Id);
    }
}
