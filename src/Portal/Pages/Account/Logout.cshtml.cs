using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Account;

/// <summary>Signing out is a POST (a link or an image elsewhere must not sign anyone out); a GET shows the button.</summary>
public sealed class LogoutModel(IdentityService.IdentityServiceClient identity, PortalSession session, ILogger<LogoutModel> logger) : PageModel
{
    public async Task<IActionResult> OnPostAsync()
    {
        if (session.RefreshToken is { Length: > 0 } refreshToken)
        {
            try
            {
                await identity.LogoutAsync(new LogoutRequest { RefreshToken = refreshToken }, cancellationToken: HttpContext.RequestAborted);
            }
            catch (RpcException ex)
            {
                // Signing out of this browser must work even when the server cannot revoke the session now.
                logger.LogWarning("Logout could not revoke the session on the server: {Status} {Detail}", ex.StatusCode, ex.Status.Detail);
            }
        }
        session.SignOut();
        TempData["StatusMessage"] = "You have signed out.";
        return RedirectToPage("/Account/Login");
    }
}
