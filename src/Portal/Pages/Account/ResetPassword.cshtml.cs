using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Account;

/// <summary>
/// Where the link in the reset (and invitation) mail leads: the server builds it as Auth:PasswordResetUrl
/// plus the token, by default http://127.0.0.1:5102/Account/ResetPassword?token=...
/// </summary>
[AllowAnonymous]
public sealed class ResetPasswordModel(IdentityService.IdentityServiceClient identity) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool HasToken => !string.IsNullOrEmpty(Input.Token);

    public sealed class InputModel
    {
        [Required(ErrorMessage = "The link is incomplete: open the whole link from the mail, or ask for a new one.")]
        [Display(Name = "Reset link")]
        public string Token { get; set; } = "";

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

    public void OnGet(string? token) => Input.Token = token ?? "";

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return TokenProblemsForTheWholeForm();
        }
        try
        {
            await identity.ResetPasswordAsync(new ResetPasswordRequest { Token = Input.Token, NewPassword = Input.NewPassword }, cancellationToken: HttpContext.RequestAborted);
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<InputModel>(ex);
            return TokenProblemsForTheWholeForm();
        }
        TempData["StatusMessage"] = "Your new password is set. Sign in with it.";
        return RedirectToPage("/Account/Login");
    }

    /// <summary>The token is a hidden field: its problems (used, expired, missing) belong to the whole form.</summary>
    private PageResult TokenProblemsForTheWholeForm()
    {
        const string key = "Input.Token";
        if (ModelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0)
        {
            var messages = entry.Errors.Select(e => e.ErrorMessage).ToList();
            ModelState.Remove(key);
            foreach (var message in messages)
            {
                ModelState.AddModelError(string.Empty, message);
            }
        }
        return Page();
    }
}
