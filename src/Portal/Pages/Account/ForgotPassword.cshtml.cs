using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Account;

/// <summary>Asks for a reset link. The answer is the same whether or not the address has an account.</summary>
[AllowAnonymous]
public sealed class ForgotPasswordModel(IdentityService.IdentityServiceClient identity) : PageModel
{
    public const string Answer = "If an account uses that address, we have sent it a link to set a new password. The link works once, for one hour.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter an email address like ada@example.com.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";
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
            await identity.RequestPasswordResetAsync(new RequestPasswordResetRequest { Email = Input.Email.Trim() }, cancellationToken: HttpContext.RequestAborted);
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<InputModel>(ex);
            return Page();
        }
        TempData["StatusMessage"] = Answer;
        return RedirectToPage();
    }
}
