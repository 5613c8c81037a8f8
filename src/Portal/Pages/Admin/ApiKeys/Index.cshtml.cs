using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Admin.ApiKeys;

/// <summary>
/// API keys for service accounts. A new key is shown once: it travels to the page after the redirect in
/// TempData (a data-protected cookie that is deleted once read), and the server keeps only its hash.
/// </summary>
public sealed class IndexModel(AdminService.AdminServiceClient admin) : PageModel
{
    private const string NewKeyData = "NewApiKey";
    private const string NewKeyNameData = "NewApiKeyName";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true, Name = "revoked")]
    public bool IncludeRevoked { get; set; }

    [BindProperty(SupportsGet = true, Name = "next")]
    public string? PageToken { get; set; }

    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];

    public string NextPageToken { get; private set; } = "";

    /// <summary>The key just created, on the one page view after creating it.</summary>
    public string? NewKey { get; private set; }

    public string? NewKeyName { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Name the key after what will use it, e.g. \"nightly export\".")]
        [StringLength(100, ErrorMessage = "Name must be at most 100 characters.")]
        [Display(Name = "Name")]
        public string Name { get; set; } = "";

        [Display(Name = "Role")]
        public Role Role { get; set; } = Role.Viewer;
    }

    public async Task OnGetAsync()
    {
        NewKey = TempData[NewKeyData] as string;
        NewKeyName = TempData[NewKeyNameData] as string;
        if (NewKey is not null)
        {
            // Nothing may keep a copy of the page that shows the key.
            Response.Headers.CacheControl = "no-store";
        }
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        if (ModelState.IsValid)
        {
            try
            {
                var created = await admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = Input.Name.Trim(), Role = Input.Role }, cancellationToken: HttpContext.RequestAborted);
                TempData[NewKeyData] = created.Key;
                TempData[NewKeyNameData] = created.ApiKey.Name;
                return RedirectToPage();
            }
            catch (RpcException ex) when (ServerErrors.IsFormError(ex))
            {
                ModelState.AddServerError<InputModel>(ex);
            }
        }
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string id)
    {
        var revoked = await admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { ApiKeyId = id }, cancellationToken: HttpContext.RequestAborted);
        TempData["StatusMessage"] = $"The key “{revoked.Name}” ({revoked.Prefix}…) has been revoked; calls with it now fail.";
        return RedirectToPage();
    }

    private async Task LoadAsync()
    {
        var response = await admin.ListApiKeysAsync(new ListApiKeysRequest { PageSize = 50, PageToken = PageToken ?? "", IncludeRevoked = IncludeRevoked },
            cancellationToken: HttpContext.RequestAborted);
        Keys = response.ApiKeys;
        NextPageToken = response.NextPageToken;
    }
}
