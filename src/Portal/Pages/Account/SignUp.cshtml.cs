using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Account;

/// <summary>Creates a workspace (tenant) and its first admin, and signs the admin in.</summary>
[AllowAnonymous]
public sealed class SignUpModel(IdentityService.IdentityServiceClient identity, PortalSession session) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter a name for your workspace.")]
        [StringLength(200, ErrorMessage = "Workspace name must be at most 200 characters.")]
        [Display(Name = "Workspace name")]
        [ServerField("tenant_name")]
        public string WorkspaceName { get; set; } = "";

        [StringLength(40, MinimumLength = 3, ErrorMessage = "Short name must be 3 to 40 characters.")]
        [RegularExpression("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", ErrorMessage = "Short name may use a-z, 0-9 and '-', and must start and end with a letter or digit.")]
        [Display(Name = "Short name (optional)")]
        [ServerField("tenant_slug")]
        public string? Slug { get; set; }

        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter an email address like ada@example.com.")]
        [Display(Name = "Email")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your name as colleagues should see it.")]
        [StringLength(100, ErrorMessage = "Your name must be at most 100 characters.")]
        [Display(Name = "Your name")]
        public string DisplayName { get; set; } = "";

        [Required(ErrorMessage = "Choose a password.")]
        [StringLength(256, MinimumLength = 10, ErrorMessage = "Password must be at least 10 characters long.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string Password { get; set; } = "";

        [Required(ErrorMessage = "Type the password again.")]
        [Compare(nameof(Password), ErrorMessage = "The two passwords do not match.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password again")]
        public string ConfirmPassword { get; set; } = "";
    }

    public IActionResult OnGet() => session.User is null ? Page() : LocalRedirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        try
        {
            var response = await identity.SignUpAsync(new SignUpRequest
            {
                TenantName = Input.WorkspaceName.Trim(),
                TenantSlug = Input.Slug?.Trim() ?? "",
                Email = Input.Email.Trim(),
                DisplayName = Input.DisplayName.Trim(),
                Password = Input.Password,
            }, cancellationToken: HttpContext.RequestAborted);
            session.SignIn(response.Tokens, response.Tenant.Name);
            TempData["StatusMessage"] = $"Your workspace {response.Tenant.Name} is ready. You are its admin.";
            return LocalRedirect("/");
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<InputModel>(ex);
            return Page();
        }
    }
}
