using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Admin.Users;

public sealed class IndexModel(AdminService.AdminServiceClient admin) : PageModel
{
    public const int PageSize = 25;

    /// <summary>Part of an email or name.</summary>
    [BindProperty(SupportsGet = true, Name = "q")]
    [ServerField("filter")]
    public string? Filter { get; set; }

    [BindProperty(SupportsGet = true, Name = "deactivated")]
    public bool IncludeDeactivated { get; set; }

    /// <summary>The server's token for the page to show; empty for the first.</summary>
    [BindProperty(SupportsGet = true, Name = "next")]
    [ServerField("page_token")]
    public string? PageToken { get; set; }

    public IReadOnlyList<User> Users { get; private set; } = [];

    public string NextPageToken { get; private set; } = "";

    public async Task OnGetAsync()
    {
        try
        {
            var response = await admin.ListUsersAsync(new ListUsersRequest
            {
                PageSize = PageSize,
                PageToken = PageToken ?? "",
                Filter = Filter?.Trim() ?? "",
                IncludeDeactivated = IncludeDeactivated,
            }, cancellationToken: HttpContext.RequestAborted);
            Users = response.Users;
            NextPageToken = response.NextPageToken;
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<IndexModel>(ex, prefix: "");
        }
    }

    /// <summary>The current filters, and the page token when given: the route values of the pager's links.</summary>
    public Dictionary<string, string> Route(string? next = null)
    {
        var route = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(Filter))
        {
            route["q"] = Filter;
        }
        if (IncludeDeactivated)
        {
            route["deactivated"] = "true";
        }
        if (!string.IsNullOrEmpty(next))
        {
            route["next"] = next;
        }
        return route;
    }
}
