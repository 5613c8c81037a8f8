using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Datasets;

/// <summary>One dataset: preview, profile (column cards, quality issues, SVG histograms), versions, lineage, and a transform form.</summary>
public sealed class DetailsModel(DatasetService.DatasetServiceClient datasets) : PageModel
{
    public Dataset Dataset { get; private set; } = null!;

    public PreviewDatasetResponse Preview { get; private set; } = null!;

    public DatasetProfile Profile { get; private set; } = null!;

    public IReadOnlyList<DatasetVersion> Versions { get; private set; } = [];

    public Lineage Lineage { get; private set; } = null!;

    [BindProperty]
    public TransformInput Transform { get; set; } = new();

    public sealed class TransformInput
    {
        [Display(Name = "Step")]
        public string Kind { get; set; } = "filter";

        [Display(Name = "Column")]
        [StringLength(200)]
        public string? Column { get; set; }

        /// <summary>Filter or derive expression, new name, fill value, or comma-separated columns.</summary>
        [Display(Name = "Expression or value")]
        [StringLength(2000)]
        public string? Text { get; set; }

        [Display(Name = "Type")]
        public ColumnType Type { get; set; } = ColumnType.Text;

        [Display(Name = "Save as a new dataset named")]
        [StringLength(200)]
        public string? NewDatasetName { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(string id)
    {
        await LoadAsync(id);
        return Page();
    }

    // Analysts and admins only: the server refuses anyone else (PERMISSION_DENIED, shown as the 403 page).
    public async Task<IActionResult> OnPostTransformAsync(string id)
    {
        var step = ToStep(Transform);
        if (step is null)
        {
            ModelState.AddModelError("Transform.Text", "Fill in the step's column and expression or value.");
        }
        if (!ModelState.IsValid || step is null)
        {
            await LoadAsync(id);
            return Page();
        }
        try
        {
            var request = new TransformDatasetRequest { DatasetId = id, NewDatasetName = Transform.NewDatasetName?.Trim() ?? "" };
            request.Steps.Add(step);
            var job = await datasets.TransformDatasetAsync(request, cancellationToken: HttpContext.RequestAborted);
            return Redirect($"/Datasets/Job/{job.Id}");
        }
        catch (RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.InvalidArgument)
        {
            ModelState.AddModelError("Transform.Text", ex.Status.Detail);
            await LoadAsync(id);
            return Page();
        }
    }

    // Analysts and admins only: the server refuses anyone else (PERMISSION_DENIED, shown as the 403 page).
    public async Task<IActionResult> OnPostDeleteAsync(string id)
    {
        var dataset = await datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = id }, cancellationToken: HttpContext.RequestAborted);
        await datasets.DeleteDatasetAsync(new DeleteDatasetRequest { DatasetId = id }, cancellationToken: HttpContext.RequestAborted);
        TempData["StatusMessage"] = $"Deleted the dataset '{dataset.Name}'.";
        return Redirect("/Datasets");
    }

    /// <summary>The form's one step as the API's step; null when it lacks what the step needs.</summary>
    public static TransformStep? ToStep(TransformInput input)
    {
        var text = input.Text?.Trim() ?? "";
        var column = input.Column?.Trim() ?? "";
        IEnumerable<string> List() => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return input.Kind switch
        {
            "filter" when text.Length > 0 => new TransformStep { Filter = new FilterRows { Expression = text } },
            "derive" when text.Length > 0 && column.Length > 0 => new TransformStep { Derive = new DerivedColumn { Name = column, Expression = text } },
            "rename" when text.Length > 0 && column.Length > 0 => new TransformStep { Rename = new RenameColumn { Column = column, NewName = text } },
            "select" when text.Length > 0 => new TransformStep { Select = new SelectColumns { Columns = { List() } } },
            "cast" when column.Length > 0 => new TransformStep { Cast = new CastColumn { Column = column, Type = input.Type, NullOnError = true } },
            "fill_nulls" when column.Length > 0 => new TransformStep { FillNulls = new FillNulls { Column = column, Value = text } },
            "drop_nulls" => new TransformStep { DropNulls = new DropNullRows { Columns = { List() } } },
            "deduplicate" => new TransformStep { Deduplicate = new Deduplicate { Columns = { List() } } },
            _ => null,
        };
    }

    private async Task LoadAsync(string id)
    {
        var ct = HttpContext.RequestAborted;
        Dataset = await datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = id }, cancellationToken: ct);
        Preview = await datasets.PreviewDatasetAsync(new PreviewDatasetRequest { DatasetId = id, Limit = 50 }, cancellationToken: ct);
        Profile = await datasets.GetProfileAsync(new GetDatasetProfileRequest { DatasetId = id }, cancellationToken: ct);
        Versions = (await datasets.ListDatasetVersionsAsync(new ListDatasetVersionsRequest { DatasetId = id, PageSize = 50 }, cancellationToken: ct)).Versions;
        Lineage = await datasets.GetLineageAsync(new GetLineageRequest { DatasetId = id }, cancellationToken: ct);
    }
}
