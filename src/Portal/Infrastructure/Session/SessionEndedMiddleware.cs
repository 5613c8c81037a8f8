using Grpc.Core;

namespace AstralytiQ.Portal.Infrastructure.Session;

/// <summary>
/// When the server answers UNAUTHENTICATED to a call made for a page (session revoked, user deactivated,
/// password changed elsewhere), the session is over: clear the cookies and send the person to the login
/// page, coming back to where they were. Pages that expect UNAUTHENTICATED (the login form) catch it themselves.
/// </summary>
public sealed class SessionEndedMiddleware(RequestDelegate next, ILogger<SessionEndedMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, PortalSession session)
    {
        try
        {
            await next(context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated && !context.Response.HasStarted)
        {
            logger.LogInformation("Session ended by the server on {Path}: {Detail}", context.Request.Path, ex.Status.Detail);
            // Drop whatever the page had prepared (including rotated cookies) before clearing the session.
            context.Response.Clear();
            session.SignOut();
            var request = context.Request;
            string returnUrl = HttpMethods.IsGet(request.Method)
                ? request.PathBase + request.Path + request.QueryString
                : (request.PathBase + request.Path).ToString();
            context.Response.Redirect(PortalSession.LoginUrl(returnUrl));
        }
    }
}
