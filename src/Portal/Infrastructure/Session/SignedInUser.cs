using System.Security.Claims;

namespace AstralytiQ.Portal.Infrastructure.Session;

/// <summary>The person a request is made for, as the layout and pages show them.</summary>
/// <param name="Role">"viewer", "analyst" or "admin" (see <see cref="PortalRoles"/>).</param>
/// <param name="TenantName">The workspace's name, from the tokens the server issued (null only if an older server left it out).</param>
public sealed record SignedInUser(string UserId, string TenantId, string Email, string DisplayName, string Role, string Tier, string? TenantName)
{
    public bool IsAdmin => Role == PortalRoles.Admin;

    /// <summary>Analysts and admins: upload, query, train, build dashboards.</summary>
    public bool IsAnalyst => Role is PortalRoles.Analyst or PortalRoles.Admin;

    /// <summary>Claims for HttpContext.User: "sub" (also the anti-forgery identity), "email", "tenant", "name" and role claim "role".</summary>
    public ClaimsPrincipal ToPrincipal(string authenticationType) => new(new ClaimsIdentity(
        [
            new Claim(PortalClaims.Subject, UserId),
            new Claim(PortalClaims.Email, Email),
            new Claim(PortalClaims.Tenant, TenantId),
            new Claim(PortalClaims.Name, DisplayName),
            new Claim(PortalClaims.Role, Role),
            new Claim(PortalClaims.Tier, Tier),
        ],
        authenticationType,
        PortalClaims.Name,
        PortalClaims.Role));
}

public static class PortalRoles
{
    public const string Viewer = "viewer";
    public const string Analyst = "analyst";
    public const string Admin = "admin";
}

public static class PortalClaims
{
    public const string Subject = "sub";
    public const string Email = "email";
    public const string Tenant = "tenant";
    public const string Name = "name";
    public const string Role = "role";
    public const string Tier = "tier";
}
