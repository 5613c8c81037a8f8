using System.Text.Json;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Infrastructure.Session;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AstralytiQ.Portal.Pages.Datasets;

/// <summary>
/// A job's progress. The page renders the current state; a small script then follows
/// <c>?handler=Events</c>, a server-sent event stream the portal feeds from WatchJob, until the job ends.
/// </summary>
public sealed class JobModel(JobService.JobServiceClient jobs) : PageModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Job Job { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id)
    {
        Job = await jobs.GetJobAsync(new GetJobRequest { JobId = id }, cancellationToken: HttpContext.RequestAborted);
        return Page();
    }

    /// <summary>text/event-stream: one "progress" event per change, "done" at the end (then the browser reloads the page).</summary>
    public async Task<IActionResult> OnGetEventsAsync(string id)
    {
        var response = HttpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = HttpContext.RequestAborted;
        try
        {
            using var call = jobs.WatchJob(new WatchJobRequest { JobId = id }, cancellationToken: aborted);
            while (await call.ResponseStream.MoveNext(aborted))
            {
                var e = call.ResponseStream.Current;
                var data = JsonSerializer.Serialize(new
                {
                    state = DatasetViews.State(e.Job.State),
                    phase = e.Job.Phase,
                    percent = e.Job.Percent,
                    rows = e.Job.RowsProcessed,
                    error = e.Job.Error,
                    datasetId = e.Job.DatasetId,
                    final = e.Final,
                }, Json);
                await response.WriteAsync($"event: {(e.Final ? "done" : "progress")}\ndata: {data}\n\n", aborted);
                await response.Body.FlushAsync(aborted);
                if (e.Final)
                {
                    break;
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode is Grpc.Core.StatusCode.Cancelled || aborted.IsCancellationRequested)
        {
        }
        catch (RpcException ex)
        {
            await response.WriteAsync($"event: failure\ndata: {JsonSerializer.Serialize(new { error = ex.Status.Detail }, Json)}\n\n", CancellationToken.None);
        }
        // The stream is the whole response: no page to render after it.
        return new EmptyResult();
    }

    // Analysts and admins only: the server refuses anyone else (PERMISSION_DENIED, shown as the 403 page).
    public async Task<IActionResult> OnPostCancelAsync(string id)
    {
        await jobs.CancelJobAsync(new CancelJobRequest { JobId = id }, cancellationToken: HttpContext.RequestAborted);
        TempData["StatusMessage"] = "Cancellation requested.";
        return Redirect($"/Datasets/Job/{id}");
    }
}
