using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Forms;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Datasets;

/// <summary>The tenant's datasets, newest first, filtered by name, a page at a time.</summary>
public sealed class IndexModel(DatasetService.DatasetServiceClient datasets) : PageModel
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true, Name = "q")]
    [ServerField("filter")]
    public string? Filter { get; set; }

    [BindProperty(SupportsGet = true, Name = "next")]
    [ServerField("page_token")]
    public string? PageToken { get; set; }

    public IReadOnlyList<Dataset> Datasets { get; private set; } = [];

    public string NextPageToken { get; private set; } = "";

    public async Task OnGetAsync()
    {
        try
        {
            var response = await datasets.ListDatasetsAsync(new ListDatasetsRequest { PageSize = PageSize, PageToken = PageToken ?? "", Filter = Filter?.Trim() ?? "" },
                cancellationToken: HttpContext.RequestAborted);
            Datasets = response.Datasets;
            NextPageToken = response.NextPageToken;
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex))
        {
            ModelState.AddServerError<IndexModel>(ex, prefix: "");
        }
    }
}
