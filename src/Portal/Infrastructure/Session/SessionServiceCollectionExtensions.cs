using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AstralytiQ.Portal.Infrastructure.Session;

public static class SessionServiceCollectionExtensions
{
    /// <summary>Session cookies, the authentication scheme reading them, and the role policies.</summary>
    public static IServiceCollection AddPortalSessions(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RefreshCoordinator>();
        services.AddScoped<PortalSession>();
        services.AddAuthentication(PortalSessionDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(PortalSessionDefaults.Scheme, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(PortalPolicies.Analyst, policy => policy.RequireAuthenticatedUser().RequireRole(PortalRoles.Analyst, PortalRoles.Admin))
            .AddPolicy(PortalPolicies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(PortalRoles.Admin));
        return services;
    }

    /// <summary>
    /// Every page needs a signed-in user unless its PageModel says <c>[AllowAnonymous]</c>; every page under
    /// /Admin needs the admin role.
    /// </summary>
    public static PageConventionCollection RequireSignInByDefault(this PageConventionCollection conventions)
    {
        conventions.AuthorizeFolder("/");
        conventions.AuthorizeFolder("/Admin", PortalPolicies.Admin);
        return conventions;
    }

    /// <summary>Authentication (with transparent refresh), authorization, and the end-of-session redirect. After UseRouting.</summary>
    public static IApplicationBuilder UsePortalSessions(this IApplicationBuilder app) =>
        app.UseAuthentication()
            .UseAuthorization()
            .UseMiddleware<SessionEndedMiddleware>();
}
