using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Admin.Users;

/// <summary>GDPR erasure, after the admin types the person's email to confirm (it cannot be undone).</summary>
public sealed class EraseModel(AdminService.AdminServiceClient admin) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public User Person { get; private set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Type the person's email address to confirm.")]
        [Display(Name = "Type their email address to confirm")]
        public string ConfirmEmail { get; set; } = "";
    }

    public async Task OnGetAsync() => Person = await GetAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        Person = await GetAsync();
        if (ModelState.IsValid && !string.Equals(Input.ConfirmEmail.Trim(), Person.Email, StringComparison.OrdinalIgnoreCase))
        {
            ModelState.AddModelError("Input.ConfirmEmail", $"Type {Person.Email} exactly to confirm.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        try
        {
            var erased = await admin.EraseUserAsync(new EraseUserRequest { UserId = Id }, cancellationToken: HttpContext.RequestAborted);
            TempData["StatusMessage"] = $"{Person.Email} has been erased. The audit log now shows their actions as {erased.Pseudonym}.";
            return RedirectToPage("/Admin/Users/Index");
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<InputModel>(ex);
            return Page();
        }
    }

    private async Task<User> GetAsync() =>
        await admin.GetUserAsync(new GetUserRequest { UserId = Id }, cancellationToken: HttpContext.RequestAborted);
}
