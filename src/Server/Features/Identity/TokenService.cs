using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using AstralytiQ.Server.Infrastructure.Auth;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AstralytiQ.Server.Features.Identity;

/// <summary>What a valid access token says about its bearer.</summary>
public sealed record AccessTokenClaims(Guid UserId, Guid TenantId, string Email, Role Role, Tier Tier, int TokenVersion, Guid SessionId);

/// <summary>
/// Access tokens are JWTs signed with HMAC-SHA256 and nothing else (an <c>alg: none</c> or
/// differently signed token fails validation). Refresh, reset and API-key secrets are opaque random
/// strings; only their SHA-256 hashes are stored (they carry 256 bits of entropy, so a fast hash is enough).
/// </summary>
public sealed class TokenService
{
    public const string TenantClaim = "tenant";
    public const string RoleClaim = "role";
    public const string TierClaim = "tier";
    public const string VersionClaim = "ver";
    public const string SessionClaim = "sid";

    private readonly AuthOptions _options;
    private readonly TimeProvider _clock;
    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TokenValidationParameters _validation;

    public TokenService(IOptions<AuthOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _key = new SymmetricSecurityKey(_options.GetSigningKeyBytes()) { KeyId = "astq-1" };
        _validation = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
    }

    public (string Token, DateTime ExpiresAt) IssueAccessToken(Guid userId, Guid tenantId, string email, Role role, Tier tier, int tokenVersion, Guid sessionId)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var expires = now + _options.AccessTokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId.ToString(),
                [JwtRegisteredClaimNames.Email] = email,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [TenantClaim] = tenantId.ToString(),
                [RoleClaim] = RoleNames.ToText(role),
                [TierClaim] = RoleNames.ToText(tier),
                [VersionClaim] = tokenVersion,
                [SessionClaim] = sessionId.ToString(),
            },
        });
        return (token, expires);
    }

    /// <summary>The claims of a valid token, or the reason it is not valid (phrased for the caller).</summary>
    public async Task<(AccessTokenClaims? Claims, string? Error)> ValidateAccessTokenAsync(string token)
    {
        if (token.Length > 8192)
        {
            return (null, "The access token is too long.");
        }
        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid)
        {
            return (null, result.Exception is SecurityTokenExpiredException ? "The access token has expired; refresh it or sign in again." : "The access token is not valid.");
        }
        var claims = result.ClaimsIdentity;
        if (!Guid.TryParse(claims.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var userId)
            || !Guid.TryParse(claims.FindFirst(TenantClaim)?.Value, out var tenantId)
            || !RoleNames.TryParseRole(claims.FindFirst(RoleClaim)?.Value, out var role)
            || !RoleNames.TryParseTier(claims.FindFirst(TierClaim)?.Value, out var tier)
            || !int.TryParse(claims.FindFirst(VersionClaim)?.Value, out var version)
            || !Guid.TryParse(claims.FindFirst(SessionClaim)?.Value, out var sessionId))
        {
            return (null, "The access token is not valid.");
        }
        return (new AccessTokenClaims(userId, tenantId, claims.FindFirst(JwtRegisteredClaimNames.Email)?.Value ?? "", role, tier, version, sessionId), null);
    }

    /// <summary>A new random secret (URL-safe) with the given prefix, and the hash to store.</summary>
    public static (string Secret, byte[] Hash) NewSecret(string prefix = "")
    {
        var secret = prefix + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (secret, HashSecret(secret));
    }

    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>The principal put on HttpContext.User so logs and ASP.NET see who is calling.</summary>
    public static ClaimsPrincipal ToPrincipal(Caller caller) => new(new ClaimsIdentity(
        [
            new Claim("sub", caller.UserId.ToString()),
            new Claim(TenantClaim, caller.TenantId.ToString()),
            new Claim(RoleClaim, RoleNames.ToText(caller.Role)),
            new Claim("auth", caller.Kind == CallerKind.ApiKey ? "api_key" : "token"),
        ],
        authenticationType: caller.Kind == CallerKind.ApiKey ? "ApiKey" : "Bearer",
        nameType: "sub",
        roleType: RoleClaim));
}

/// <summary>Text forms of roles and tiers, as stored in the database and tokens.</summary>
public static class RoleNames
{
    public static string ToText(Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Analyst => "analyst",
        Role.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static string ToText(Tier tier) => tier == Tier.Premium ? "premium" : "free";

    public static bool TryParseRole(string? text, out Role role)
    {
        role = text switch
        {
            "viewer" => Role.Viewer,
            "analyst" => Role.Analyst,
            "admin" => Role.Admin,
            _ => 0,
        };
        return role != 0;
    }

    public static Role ParseRole(string text) => TryParseRole(text, out var role) ? role : throw new InvalidOperationException($"Unknown role '{text}'.");

    public static bool TryParseTier(string? text, out Tier tier)
    {
        tier = text == "premium" ? Tier.Premium : Tier.Free;
        return text is "premium" or "free";
    }

    public static Tier ParseTier(string text) => TryParseTier(text, out var tier) ? tier : throw new InvalidOperationException($"Unknown tier '{text}'.");
}
