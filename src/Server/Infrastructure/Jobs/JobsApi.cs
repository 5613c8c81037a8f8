using System.Text.Json;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Infrastructure.Auth;
using AstralytiQ.Server.Infrastructure.Errors;
using AstralytiQ.Server.Infrastructure.Validation;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AstralytiQ.Server.Infrastructure.Jobs;

/// <summary>Jobs of the caller's tenant: read by viewers, cancelled by analysts (their own) and admins (any).</summary>
[RequireRole(Auth.Role.Viewer)]
public sealed class JobsApi(JobQueue queue, JobEvents events, AuditLog audit) : JobService.JobServiceBase
{
    /// <summary>WatchJob re-reads the job this often even without a notification (a safety net for lost ones).</summary>
    private static readonly TimeSpan WatchPoll = TimeSpan.FromSeconds(5);

    public override async Task<Api.V1.Job> GetJob(GetJobRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var job = await queue.GetAsync(caller.TenantId, Input.Id("job_id", request.JobId), context.CancellationToken) ?? throw RpcErrors.NotFound("Job");
        return ToProto(job, includeBadRows: true);
    }

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var size = Input.PageSize("page_size", request.PageSize);
        var after = PageToken.Decode("page_token", request.PageToken);
        Guid? datasetId = string.IsNullOrEmpty(request.DatasetId) ? null : Input.Id("dataset_id", request.DatasetId);
        var state = request.State == JobState.Unspecified ? null : ToText(request.State);
        var page = await queue.ListAsync(caller.TenantId, datasetId, state, size + 1, after, context.CancellationToken);
        var response = new ListJobsResponse();
        response.Jobs.AddRange(page.Take(size).Select(j => ToProto(j, includeBadRows: false)));
        if (page.Count > size)
        {
            var last = page[size - 1];
            response.NextPageToken = new PageToken(last.CreatedAt, last.Id).Encode();
        }
        return response;
    }

    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var jobId = Input.Id("job_id", request.JobId);
        // Subscribe before the first read, so no change between the two is missed.
        using var subscription = events.Subscribe(jobId);
        string? lastSent = null;
        while (true)
        {
            var job = await queue.GetAsync(caller.TenantId, jobId, context.CancellationToken) ?? throw RpcErrors.NotFound("Job");
            var message = ToProto(job, includeBadRows: false);
            var signature = message.ToString();
            if (signature != lastSent)
            {
                await responseStream.WriteAsync(new JobEvent { Job = message, Final = job.IsFinal }, context.CancellationToken);
                lastSent = signature;
            }
            if (job.IsFinal)
            {
                return;
            }
            await subscription.WaitAsync(WatchPoll, context.CancellationToken);
        }
    }

    [RequireRole(Auth.Role.Analyst)]
    public override async Task<Api.V1.Job> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var jobId = Input.Id("job_id", request.JobId);
        var job = await queue.GetAsync(caller.TenantId, jobId, context.CancellationToken) ?? throw RpcErrors.NotFound("Job");
        if (!caller.IsAtLeast(Auth.Role.Admin) && job.CreatedBy != caller.UserId)
        {
            throw RpcErrors.PermissionDenied("Analysts can cancel their own jobs; ask an admin to cancel someone else's.");
        }
        if (job.IsFinal)
        {
            throw RpcErrors.FailedPrecondition($"The job has already ended ({job.State}).");
        }
        var updated = await queue.RequestCancelAsync(caller.TenantId, jobId, context.CancellationToken)
            ?? await queue.GetAsync(caller.TenantId, jobId, context.CancellationToken)
            ?? throw RpcErrors.NotFound("Job");
        await audit.RecordAsync(context, "job.cancel_requested", "job", jobId.ToString(), new { kind = job.Kind, state = job.State });
        return ToProto(updated, includeBadRows: false);
    }

    public static Api.V1.Job ToProto(JobRecord job, bool includeBadRows)
    {
        var message = new Api.V1.Job
        {
            Id = job.Id.ToString(),
            Kind = job.Kind,
            Title = job.Title,
            State = ToProto(job.State),
            Phase = job.Phase,
            Percent = Math.Round(job.Progress * 100, 1),
            RowsProcessed = job.RowsProcessed,
            Attempts = job.Attempts,
            MaxAttempts = job.MaxAttempts,
            Error = job.Error ?? "",
            DatasetId = job.DatasetId?.ToString() ?? "",
            CancelRequested = job.CancelRequestedAt is not null,
            CreatedByUserId = job.CreatedBy?.ToString() ?? "",
            CreateTime = Timestamp.FromDateTime(DateTime.SpecifyKind(job.CreatedAt, DateTimeKind.Utc)),
        };
        if (job.StartedAt is { } started)
        {
            message.StartTime = Timestamp.FromDateTime(DateTime.SpecifyKind(started, DateTimeKind.Utc));
        }
        if (job.FinishedAt is { } finished)
        {
            message.EndTime = Timestamp.FromDateTime(DateTime.SpecifyKind(finished, DateTimeKind.Utc));
        }
        if (job.Result is { Length: > 0 } result)
        {
            var facts = JsonSerializer.Deserialize<JobResultFacts>(result, JobResultFacts.Json);
            if (facts is not null)
            {
                if (facts.DatasetId is { } dataset)
                {
                    message.DatasetId = dataset.ToString();
                }
                message.VersionId = facts.VersionId?.ToString() ?? "";
                message.BadRowCount = facts.BadRowCount;
                if (includeBadRows && facts.BadRows is { } rows)
                {
                    message.BadRows.AddRange(rows.Select(r => new Api.V1.BadRow { Line = r.Line, Reason = r.Reason }));
                }
            }
        }
        return message;
    }

    public static JobState ToProto(string state) => state switch
    {
        JobStates.Queued => JobState.Queued,
        JobStates.Running => JobState.Running,
        JobStates.Succeeded => JobState.Succeeded,
        JobStates.Failed => JobState.Failed,
        JobStates.Cancelled => JobState.Cancelled,
        JobStates.Dead => JobState.Dead,
        _ => JobState.Unspecified,
    };

    private static string ToText(JobState state) => state switch
    {
        JobState.Queued => JobStates.Queued,
        JobState.Running => JobStates.Running,
        JobState.Succeeded => JobStates.Succeeded,
        JobState.Failed => JobStates.Failed,
        JobState.Cancelled => JobStates.Cancelled,
        JobState.Dead => JobStates.Dead,
        _ => throw RpcErrors.InvalidArgument("state", "is not a known job state"),
    };
}

/// <summary>The facts a job's result JSON may carry that the Job message shows.</summary>
public sealed record JobResultFacts(Guid? DatasetId, Guid? VersionId, long BadRowCount, IReadOnlyList<BadRowFact>? BadRows)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public sealed record BadRowFact(long Line, string Reason);
