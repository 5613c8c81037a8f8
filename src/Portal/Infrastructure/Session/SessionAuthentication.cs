using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Portal.Infrastructure.Session;

public static class PortalSessionDefaults
{
    public const string Scheme = "PortalSession";
}

/// <summary>Authorization policies pages name in <c>[Authorize(Policy = ...)]</c>.</summary>
public static class PortalPolicies
{
    /// <summary>Analyst or admin: uploading, querying, training, building dashboards.</summary>
    public const string Analyst = "analyst";

    /// <summary>Admin only; every page under /Admin has it by convention.</summary>
    public const string Admin = "admin";
}

/// <summary>
/// Turns the session cookies into HttpContext.User for ASP.NET Core authorization. Anonymous visitors of a
/// page that needs sign-in are sent to the login page; signed-in users without the role get 403 (the
/// status-code page renders it in plain words).
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    PortalSession session)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = await session.LoadAsync(Context.RequestAborted);
        return user is null
            ? AuthenticateResult.NoResult()
            : AuthenticateResult.Success(new AuthenticationTicket(user.ToPrincipal(Scheme.Name), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Redirect(PortalSession.LoginUrl(Request.PathBase + Request.Path + Request.QueryString));
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
