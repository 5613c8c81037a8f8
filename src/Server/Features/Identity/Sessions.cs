using AstralytiQ.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Identity;

/// <summary>Issues the token pair of a session: a 24-hour JWT and a rotating, single-use refresh token.</summary>
public sealed class Sessions(TokenService tokens, IdentityStore store, IOptions<AuthOptions> options, TimeProvider clock)
{
    /// <summary>Starts a session (new family) or continues one (rotation keeps the family).</summary>
    public async Task<AuthTokens> IssueAsync(UserRecord user, Guid? familyId, ServerCallContext context, CancellationToken cancellationToken)
    {
        var family = familyId ?? Guid.NewGuid();
        var (access, accessExpires) = tokens.IssueAccessToken(
            user.Id, user.TenantId, user.Email, RoleNames.ParseRole(user.Role), RoleNames.ParseTier(user.Tier), user.TokenVersion, family);
        var (refresh, hash) = TokenService.NewSecret("rt_");
        var refreshExpires = clock.GetUtcNow().UtcDateTime + options.Value.RefreshTokenLifetime;
        var http = context.GetHttpContext();
        await store.InsertRefreshTokenAsync(user.TenantId, user.Id, family, hash, refreshExpires,
            http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString(), cancellationToken);
        var tenant = await store.GetTenantAsync(user.TenantId, cancellationToken);
        return new AuthTokens
        {
            AccessToken = access,
            AccessTokenExpireTime = Timestamp.FromDateTime(accessExpires),
            RefreshToken = refresh,
            RefreshTokenExpireTime = Timestamp.FromDateTime(refreshExpires),
            User = ToProto(user),
            Tenant = tenant is null ? null : ToProto(tenant),
        };
    }

    public static Api.V1.Tenant ToProto(TenantRecord tenant) => new()
    {
        Id = tenant.Id.ToString(),
        Slug = tenant.Slug,
        Name = tenant.Name,
        Plan = tenant.Plan,
        CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(tenant.CreatedAt, DateTimeKind.Utc)),
    };

    public static User ToProto(UserRecord user) => new()
    {
        Id = user.Id.ToString(),
        TenantId = user.TenantId.ToString(),
        Email = user.Email,
        DisplayName = user.DisplayName,
        Role = ToProto(RoleNames.ParseRole(user.Role)),
        Tier = RoleNames.ParseTier(user.Tier) == Infrastructure.Auth.Tier.Premium ? Api.V1.Tier.Premium : Api.V1.Tier.Free,
        State = user.Status == "active" ? UserState.Active : UserState.Deactivated,
        CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(user.CreatedAt, DateTimeKind.Utc)),
        LastLoginTime = user.LastLoginAt is { } login ? Timestamp.FromDateTime(DateTime.SpecifyKind(login, DateTimeKind.Utc)) : null,
    };

    public static Api.V1.Role ToProto(Infrastructure.Auth.Role role) => role switch
    {
        Infrastructure.Auth.Role.Admin => Api.V1.Role.Admin,
        Infrastructure.Auth.Role.Analyst => Api.V1.Role.Analyst,
        _ => Api.V1.Role.Viewer,
    };

    /// <summary>Maps a role from a request; unspecified or unknown is INVALID_ARGUMENT naming the field.</summary>
    public static Infrastructure.Auth.Role FromProto(Api.V1.Role role, string field) => role switch
    {
        Api.V1.Role.Viewer => Infrastructure.Auth.Role.Viewer,
        Api.V1.Role.Analyst => Infrastructure.Auth.Role.Analyst,
        Api.V1.Role.Admin => Infrastructure.Auth.Role.Admin,
        _ => throw Infrastructure.Errors.RpcErrors.InvalidArgument(field, "must be ROLE_VIEWER, ROLE_ANALYST or ROLE_ADMIN"),
    };
}
