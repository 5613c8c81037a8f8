using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Admin.Users;

/// <summary>Adds a user to the admin's workspace: with a password, or (the default) with an invitation link by mail.</summary>
public sealed class CreateModel(AdminService.AdminServiceClient admin) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the person's email address.")]
        [EmailAddress(ErrorMessage = "Enter an email address like ada@example.com.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [StringLength(100, ErrorMessage = "Name must be at most 100 characters.")]
        [Display(Name = "Name")]
        public string? DisplayName { get; set; }

        [Required(ErrorMessage = "Choose a role.")]
        [Display(Name = "Role")]
        public Role Role { get; set; } = Role.Analyst;

        [Display(Name = "Tier")]
        public Tier Tier { get; set; } = Tier.Free;

        [StringLength(256, MinimumLength = 10, ErrorMessage = "Password must be at least 10 characters long.")]
        [DataType(DataType.Password)]
        [Display(Name = "Initial password (optional)")]
        public string? Password { get; set; }
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (Input.Role == Role.Unspecified)
        {
            ModelState.AddModelError("Input.Role", "Choose a role.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        try
        {
            var response = await admin.CreateUserAsync(new CreateUserRequest
            {
                Email = Input.Email.Trim(),
                DisplayName = Input.DisplayName?.Trim() ?? "",
                Role = Input.Role,
                Tier = Input.Tier,
                Password = Input.Password ?? "",
            }, cancellationToken: HttpContext.RequestAborted);
            TempData["StatusMessage"] = response.InvitationSent
                ? $"{response.User.Email} has been added as {AdminText.Role(response.User.Role).ToLowerInvariant()}. An invitation link to set a password has been sent."
                : $"{response.User.Email} has been added as {AdminText.Role(response.User.Role).ToLowerInvariant()} and can sign in with the password you chose.";
            return RedirectToPage("/Admin/Users/Details", new { id = response.User.Id });
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<InputModel>(ex);
            return Page();
        }
    }
}
