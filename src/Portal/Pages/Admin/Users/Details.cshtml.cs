using System.ComponentModel.DataAnnotations;
using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Admin.Users;

/// <summary>One user: change role, deactivate or reactivate, export their data; erasing has its own confirmation page.</summary>
public sealed class DetailsModel(AdminService.AdminServiceClient admin, PortalSession session) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    [Display(Name = "Role")]
    [ServerField("role")]
    public Role NewRole { get; set; }

    public User Person { get; private set; } = new();

    public bool IsYou => Person.Id == session.User?.UserId;

    public async Task OnGetAsync() => await LoadAsync();

    public Task<IActionResult> OnPostRoleAsync() => ActAsync(
        () => admin.UpdateUserRoleAsync(new UpdateUserRoleRequest { UserId = Id, Role = NewRole }, cancellationToken: HttpContext.RequestAborted).ResponseAsync,
        user => $"{user.DisplayName} is now {AdminText.Role(user.Role).ToLowerInvariant()}.");

    public Task<IActionResult> OnPostDeactivateAsync() => ActAsync(
        () => admin.DeactivateUserAsync(new DeactivateUserRequest { UserId = Id }, cancellationToken: HttpContext.RequestAborted).ResponseAsync,
        user => $"{user.DisplayName} has been deactivated and signed out everywhere.");

    public Task<IActionResult> OnPostReactivateAsync() => ActAsync(
        () => admin.ReactivateUserAsync(new ReactivateUserRequest { UserId = Id }, cancellationToken: HttpContext.RequestAborted).ResponseAsync,
        user => $"{user.DisplayName} has been reactivated.");

    /// <summary>GDPR access: everything stored about the person, as a JSON download (a POST: the export is audited).</summary>
    public async Task<IActionResult> OnPostExportAsync()
    {
        var export = await admin.ExportUserDataAsync(new ExportUserDataRequest { UserId = Id }, cancellationToken: HttpContext.RequestAborted);
        return File(Encoding.UTF8.GetBytes(export.Json), "application/json", $"astralytiq-user-{Id}.json");
    }

    private async Task<IActionResult> ActAsync(Func<Task<User>> action, Func<User, string> done)
    {
        try
        {
            var user = await action();
            TempData["StatusMessage"] = done(user);
            return RedirectToPage(new { id = Id });
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<DetailsModel>(ex, prefix: "");
            await LoadAsync();
            return Page();
        }
    }

    private async Task LoadAsync()
    {
        Person = await admin.GetUserAsync(new GetUserRequest { UserId = Id }, cancellationToken: HttpContext.RequestAborted);
        NewRole = Person.Role;
    }
}
