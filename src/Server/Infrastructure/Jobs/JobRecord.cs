namespace AstralytiQ.Server.Infrastructure.Jobs;

/// <summary>Job states as stored in app.jobs.state.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Dead = "dead";

    public static bool IsFinal(string state) => state is Succeeded or Failed or Cancelled or Dead;
}

/// <summary>A row of app.jobs.</summary>
public sealed record JobRecord(
    Guid Id, Guid TenantId, string Kind, string Title, string State, string Payload, string? Result, string Phase, double Progress,
    long RowsProcessed, string? Error, int Attempts, int MaxAttempts, string? LeaseOwner, DateTime? CancelRequestedAt, Guid? DatasetId,
    Guid? CreatedBy, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    public const string Columns =
        "id, tenant_id, kind, title, state, payload::text AS payload, result::text AS result, phase, progress, rows_processed, error, attempts, max_attempts, " +
        "lease_owner, cancel_requested_at, dataset_id, created_by, created_at, started_at, finished_at";

    public bool IsFinal => JobStates.IsFinal(State);
}

/// <summary>What a feature asks to run.</summary>
public sealed record NewJob(Guid Id, Guid TenantId, string Kind, string Title, string Payload, Guid? DatasetId, Guid? CreatedBy, int? MaxAttempts = null);

/// <summary>
/// A job ended because of its input (a bad file, a bad expression): retrying would not help. The
/// message is shown to users, so it must say what is wrong in their terms.
/// </summary>
public sealed class JobFailedException(string message, string? resultJson = null) : Exception(message)
{
    /// <summary>Facts to keep with the failed job (e.g. the bad rows), as JSON.</summary>
    public string? ResultJson { get; } = resultJson;
}

/// <summary>This instance no longer holds the job's lease: another instance took it over.</summary>
public sealed class JobLeaseLostException(Guid jobId) : Exception($"The lease on job {jobId} was lost.");
