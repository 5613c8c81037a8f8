using System.ComponentModel.DataAnnotations;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure;
using AstralytiQ.Portal.Infrastructure.Forms;
using AstralytiQ.Portal.Infrastructure.Session;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Datasets;

/// <summary>Uploads a file: the portal streams it to UploadDataset in 256 KiB chunks and sends the browser to the job's live progress.</summary>
[Authorize(Policy = PortalPolicies.Analyst)]
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public sealed class UploadModel(DatasetService.DatasetServiceClient datasets) : PageModel
{
    public const long MaxUploadBytes = 2L << 30;
    private const int ChunkBytes = 256 * 1024;

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose a file to upload.")]
        [Display(Name = "File")]
        public IFormFile? File { get; set; }

        [StringLength(200)]
        [Display(Name = "Dataset name")]
        [ServerField("metadata.name")]
        public string? Name { get; set; }

        [StringLength(2000)]
        [ServerField("metadata.description")]
        public string? Description { get; set; }

        [Display(Name = "When a row cannot be read")]
        public BadRowPolicy BadRows { get; set; } = BadRowPolicy.RejectFile;

        [Display(Name = "Excel sheet")]
        [StringLength(100)]
        [ServerField("metadata.sheet")]
        public string? Sheet { get; set; }

        [Display(Name = "Delimiter")]
        [StringLength(2)]
        [ServerField("metadata.delimiter")]
        public string? Delimiter { get; set; }

        [Display(Name = "Encoding")]
        [ServerField("metadata.encoding")]
        public string? Encoding { get; set; }
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid || Input.File is null)
        {
            return Page();
        }
        var file = Input.File;
        var metadata = new UploadMetadata
        {
            Name = string.IsNullOrWhiteSpace(Input.Name) ? Path.GetFileNameWithoutExtension(file.FileName) : Input.Name.Trim(),
            Description = Input.Description?.Trim() ?? "",
            FileName = Path.GetFileName(file.FileName),
            BadRows = Input.BadRows,
            Sheet = Input.Sheet?.Trim() ?? "",
            Delimiter = Input.Delimiter ?? "",
            Encoding = Input.Encoding ?? "",
            SizeBytes = file.Length,
        };
        try
        {
            using var call = datasets.UploadDataset(cancellationToken: HttpContext.RequestAborted);
            await call.RequestStream.WriteAsync(new UploadDatasetRequest { Metadata = metadata }, HttpContext.RequestAborted);
            await using (var stream = file.OpenReadStream())
            {
                var buffer = new byte[ChunkBytes];
                int read;
                while ((read = await stream.ReadAsync(buffer, HttpContext.RequestAborted)) > 0)
                {
                    await call.RequestStream.WriteAsync(new UploadDatasetRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) }, HttpContext.RequestAborted);
                }
            }
            await call.RequestStream.CompleteAsync();
            var job = await call.ResponseAsync;
            return Redirect($"/Datasets/Job/{job.Id}");
        }
        catch (RpcException ex) when (ServerErrors.IsFormError(ex) || ex.StatusCode is Grpc.Core.StatusCode.ResourceExhausted or Grpc.Core.StatusCode.AlreadyExists)
        {
            if (ex.StatusCode is Grpc.Core.StatusCode.ResourceExhausted or Grpc.Core.StatusCode.AlreadyExists)
            {
                ModelState.AddModelError("", GrpcErrors.ToFriendly(ex).Message);
            }
            else
            {
                ModelState.AddServerError<UploadModel>(ex, prefix: "Input");
            }
            return Page();
        }
    }
}
