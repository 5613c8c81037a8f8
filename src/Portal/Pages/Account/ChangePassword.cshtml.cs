using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Account;

/// <summary>Changing the password ends every other session; this browser continues with the fresh tokens the server returns.</summary>
public sealed class ChangePasswordModel(IdentityService.IdentityServiceClient identity, PortalSession session) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your current password.")]
        [DataType(DataType.Password)]
        [Display(Name = "Current password")]
        public string CurrentPassword { get; set; } = "";

        [Required(ErrorMessage = "Choose a new password.")]
        [StringLength(256, MinimumLength = 10, ErrorMessage = "New password must be at least 10 characters long.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string NewPassword { get; set; } = "";

        [Required(ErrorMessage = "Type the new password again.")]
        [Compare(nameof(NewPassword), ErrorMessage = "The two new passwords do not match.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password again")]
        public string ConfirmPassword { get; set; } = "";
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        try
        {
            var response = await identity.ChangePasswordAsync(new ChangePasswordRequest { CurrentPassword = Input.CurrentPassword, NewPassword = Input.NewPassword },
                cancellationToken: HttpContext.RequestAborted);
            session.SignIn(response.Tokens, session.User?.TenantName);
            TempData["StatusMessage"] = "Your password has been changed. Other browsers and devices have been signed out.";
            return RedirectToPage("/Account/Profile");
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<InputModel>(ex);
            return Page();
        }
    }
}
