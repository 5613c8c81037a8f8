using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Account;

public sealed class ProfileModel(IdentityService.IdentityServiceClient identity, PortalSession session) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    public User Profile { get; private set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your name as colleagues should see it.")]
        [StringLength(100, ErrorMessage = "Your name must be at most 100 characters.")]
        [Display(Name = "Your name")]
        public string DisplayName { get; set; } = "";
    }

    public async Task OnGetAsync()
    {
        Profile = await identity.GetProfileAsync(new GetProfileRequest(), cancellationToken: HttpContext.RequestAborted);
        Input.DisplayName = Profile.DisplayName;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (ModelState.IsValid)
        {
            try
            {
                var updated = await identity.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = Input.DisplayName.Trim() }, cancellationToken: HttpContext.RequestAborted);
                session.UpdateDisplayName(updated.DisplayName);
                TempData["StatusMessage"] = "Your profile has been saved.";
                return RedirectToPage();
            }
            catch (RpcException ex) when (ServerErrors.IsFormError(ex))
            {
                ModelState.AddServerError<InputModel>(ex);
            }
        }
        Profile = await identity.GetProfileAsync(new GetProfileRequest(), cancellationToken: HttpContext.RequestAborted);
        return Page();
    }

    public static string RoleName(Role role) => role switch
    {
        Role.Admin => "Admin",
        Role.Analyst => "Analyst",
        Role.Viewer => "Viewer",
        _ => "Unknown",
    };
}
