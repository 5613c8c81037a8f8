using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(IdentityService.IdentityServiceClient identity, PortalSession session) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>Where to go after signing in; only local paths are followed.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter an email address like ada@example.com.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = "";
    }

    public IActionResult OnGet() => session.User is null ? Page() : LocalRedirect(SafeReturnUrl());

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        try
        {
            var tokens = await identity.LoginAsync(new LoginRequest { Email = Input.Email.Trim(), Password = Input.Password }, cancellationToken: HttpContext.RequestAborted);
            session.SignIn(tokens);
            TempData["StatusMessage"] = $"Signed in as {tokens.User.DisplayName}.";
            return LocalRedirect(SafeReturnUrl());
        }
        catch (RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.Unauthenticated)
        {
            // Wrong email or password, or a deactivated account: the server's words, for the whole form.
            ModelState.AddModelError(string.Empty, ex.Status.Detail);
            return Page();
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<InputModel>(ex);
            return Page();
        }
    }

    private string SafeReturnUrl() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/";
}
