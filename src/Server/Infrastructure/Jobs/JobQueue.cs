using System.Text.Json;
using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Validation;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Jobs;

/// <summary>
/// The job table: enqueue, claim (FOR UPDATE SKIP LOCKED), heartbeat, finish, cancel, and reaping
/// of expired leases. Every change of state or progress is announced with NOTIFY on
/// <see cref="JobChannel"/> in the same transaction, so watchers on any instance see it.
/// </summary>
public sealed class JobQueue(TenantDatabase database, IOptions<JobOptions> options, ILogger<JobQueue> logger)
{
    public const string JobChannel = "astq_jobs";
    public const string QueuedChannel = "astq_jobs_queued";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Inserts a queued job inside the caller's (tenant) transaction and wakes the workers.</summary>
    public async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewJob job, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO app.jobs (id, tenant_id, kind, title, payload, dataset_id, created_by, max_attempts)
            VALUES (@Id, @TenantId, @Kind, @Title, @Payload::jsonb, @DatasetId, @CreatedBy, @MaxAttempts);
            SELECT pg_notify(@queued, @Kind), pg_notify(@channel, @Id::text);
            """,
            new { job.Id, job.TenantId, job.Kind, job.Title, job.Payload, job.DatasetId, job.CreatedBy, MaxAttempts = job.MaxAttempts ?? options.Value.MaxAttempts, queued = QueuedChannel, channel = JobChannel },
            transaction, cancellationToken: cancellationToken));
    }

    public Task<JobRecord?> GetAsync(Guid tenantId, Guid jobId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<JobRecord>(new CommandDefinition(
            $"SELECT {JobRecord.Columns} FROM app.jobs WHERE tenant_id = @tenantId AND id = @jobId",
            new { tenantId, jobId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<IReadOnlyList<JobRecord>> ListAsync(Guid tenantId, Guid? datasetId, string? state, int limit, PageToken? after, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<JobRecord>>(tenantId, async (c, t) => (await c.QueryAsync<JobRecord>(new CommandDefinition(
            $"""
            SELECT {JobRecord.Columns} FROM app.jobs
            WHERE tenant_id = @tenantId
              AND (@datasetId::uuid IS NULL OR dataset_id = @datasetId)
              AND (@state::text IS NULL OR state = @state)
              AND (@afterTime::timestamptz IS NULL OR (created_at, id) < (@afterTime, @afterId))
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """,
            new { tenantId, datasetId, state, afterTime = after?.Time, afterId = after?.GuidId ?? Guid.Empty, limit },
            t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    /// <summary>Claims the oldest queued job of one of <paramref name="kinds"/>, or null.</summary>
    public Task<JobRecord?> ClaimAsync(string owner, IReadOnlyCollection<string> kinds, CancellationToken cancellationToken) =>
        database.InSystemAsync(async (c, t) =>
        {
            var job = await c.QuerySingleOrDefaultAsync<JobRecord>(new CommandDefinition(
                $"""
                UPDATE app.jobs SET state = 'running', attempts = attempts + 1, lease_owner = @owner,
                    lease_expires_at = now() + @lease, heartbeat_at = now(), started_at = coalesce(started_at, now()),
                    phase = 'starting', error = NULL, updated_at = now()
                WHERE id = (
                    SELECT id FROM app.jobs
                    WHERE state = 'queued' AND run_after <= now() AND kind = ANY(@kinds)
                    ORDER BY created_at
                    FOR UPDATE SKIP LOCKED
                    LIMIT 1)
                RETURNING {JobRecord.Columns}
                """,
                new { owner, kinds = kinds.ToArray(), lease = options.Value.LeaseDuration }, t, cancellationToken: cancellationToken));
            if (job is not null)
            {
                await NotifyAsync(c, t, job.Id, cancellationToken);
            }
            return job;
        }, cancellationToken);

    /// <summary>Renews the lease. Returns false when the job is no longer ours (taken over, or ended); reports a pending cancel.</summary>
    public Task<(bool Owned, bool CancelRequested)> HeartbeatAsync(Guid jobId, string owner, int attempt, CancellationToken cancellationToken) =>
        database.InSystemAsync(async (c, t) =>
        {
            var row = await c.QuerySingleOrDefaultAsync<(Guid Id, DateTime? CancelRequestedAt)?>(new CommandDefinition(
                """
                UPDATE app.jobs SET lease_expires_at = now() + @lease, heartbeat_at = now()
                WHERE id = @jobId AND state = 'running' AND lease_owner = @owner AND attempts = @attempt
                RETURNING id, cancel_requested_at
                """,
                new { jobId, owner, attempt, lease = options.Value.LeaseDuration }, t, cancellationToken: cancellationToken));
            return row is { } r ? (true, r.CancelRequestedAt is not null) : (false, false);
        }, cancellationToken);

    /// <summary>Records progress (only while we hold the job) and announces it.</summary>
    public Task ReportProgressAsync(Guid jobId, string owner, int attempt, string phase, double progress, long rows, CancellationToken cancellationToken) =>
        database.InSystemAsync(async (c, t) =>
        {
            var updated = await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE app.jobs SET phase = @phase, progress = @progress, rows_processed = @rows, updated_at = now()
                WHERE id = @jobId AND state = 'running' AND lease_owner = @owner AND attempts = @attempt
                """,
                new { jobId, owner, attempt, phase, progress = Math.Clamp(progress, 0, 1), rows }, t, cancellationToken: cancellationToken));
            if (updated == 1)
            {
                await NotifyAsync(c, t, jobId, cancellationToken);
            }
        }, cancellationToken);

    /// <summary>
    /// Marks the job succeeded inside the handler's own transaction (the one that publishes its
    /// effect). Throws <see cref="JobLeaseLostException"/> when the job is no longer ours, which
    /// rolls the publication back: a job's effect happens once.
    /// </summary>
    public async Task CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid jobId, string owner, int attempt, object? result, long rows, CancellationToken cancellationToken)
    {
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE app.jobs SET state = 'succeeded', phase = 'done', progress = 1, rows_processed = @rows, result = @result::jsonb,
                lease_owner = NULL, lease_expires_at = NULL, finished_at = now(), updated_at = now()
            WHERE id = @jobId AND state = 'running' AND lease_owner = @owner AND attempts = @attempt AND cancel_requested_at IS NULL
            """,
            new { jobId, owner, attempt, rows, result = result is null ? null : JsonSerializer.Serialize(result, Json) }, transaction, cancellationToken: cancellationToken));
        if (updated != 1)
        {
            var cancelled = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT cancel_requested_at IS NOT NULL FROM app.jobs WHERE id = @jobId", new { jobId }, transaction, cancellationToken: cancellationToken));
            throw cancelled ? new OperationCanceledException("The job was cancelled.") : new JobLeaseLostException(jobId);
        }
        await NotifyAsync(connection, transaction, jobId, cancellationToken);
    }

    /// <summary>
    /// Ends an attempt that did not succeed: failed (the input's fault), cancelled, or back to the
    /// queue with a back-off, or dead once its attempts are used up.
    /// </summary>
    public Task<string?> FinishAttemptAsync(Guid jobId, string owner, int attempt, JobOutcome outcome, string? error, string? resultJson, CancellationToken cancellationToken) =>
        database.InSystemAsync(async (c, t) =>
        {
            var state = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
                """
                UPDATE app.jobs SET
                    state = CASE
                        WHEN @outcome = 'failed' THEN 'failed'
                        WHEN @outcome = 'cancelled' OR cancel_requested_at IS NOT NULL THEN 'cancelled'
                        WHEN @outcome = 'released' THEN 'queued'
                        WHEN attempts >= max_attempts THEN 'dead'
                        ELSE 'queued' END,
                    attempts = CASE WHEN @outcome = 'released' THEN greatest(attempts - 1, 0) ELSE attempts END,
                    run_after = CASE WHEN @outcome = 'retry' THEN now() + @delay * power(2, greatest(attempts - 1, 0)) ELSE now() END,
                    error = CASE WHEN @outcome = 'released' THEN error ELSE @error END,
                    result = coalesce(@result::jsonb, result),
                    phase = CASE WHEN @outcome IN ('retry', 'released') THEN 'queued' ELSE phase END,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
                    finished_at = CASE WHEN @outcome IN ('failed', 'cancelled') OR cancel_requested_at IS NOT NULL
                                            OR (@outcome = 'retry' AND attempts >= max_attempts) THEN now() END
                WHERE id = @jobId AND state = 'running' AND lease_owner = @owner AND attempts = @attempt
                RETURNING state
                """,
                new { jobId, owner, attempt, outcome = outcome.ToString().ToLowerInvariant(), error, result = resultJson, delay = options.Value.RetryDelay },
                t, cancellationToken: cancellationToken));
            if (state is not null)
            {
                await NotifyAsync(c, t, jobId, cancellationToken);
            }
            return state;
        }, cancellationToken);

    /// <summary>
    /// Cancels a queued job at once; asks a running one to stop (its worker sees it at the next
    /// checkpoint). Returns the job as it is now, or null when it is not the tenant's.
    /// </summary>
    public Task<JobRecord?> RequestCancelAsync(Guid tenantId, Guid jobId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async (c, t) =>
        {
            var job = await c.QuerySingleOrDefaultAsync<JobRecord>(new CommandDefinition(
                $"""
                UPDATE app.jobs SET
                    cancel_requested_at = coalesce(cancel_requested_at, now()),
                    state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,
                    finished_at = CASE WHEN state = 'queued' THEN now() ELSE finished_at END,
                    error = CASE WHEN state = 'queued' THEN 'Cancelled before it started.' ELSE error END,
                    updated_at = now()
                WHERE tenant_id = @tenantId AND id = @jobId AND state IN ('queued', 'running')
                RETURNING {JobRecord.Columns}
                """,
                new { tenantId, jobId }, t, cancellationToken: cancellationToken));
            if (job is not null)
            {
                await NotifyAsync(c, t, jobId, cancellationToken);
            }
            return job;
        }, cancellationToken);

    /// <summary>
    /// Running jobs whose lease ran out (their instance died or hung) go back to the queue, or are
    /// dead after their last attempt, or cancelled if that was asked. Any instance may run this.
    /// </summary>
    public Task<IReadOnlyList<(Guid Id, string State)>> ReapExpiredLeasesAsync(CancellationToken cancellationToken) =>
        database.InSystemAsync<IReadOnlyList<(Guid Id, string State)>>(async (c, t) =>
        {
            var reaped = (await c.QueryAsync<(Guid Id, string State)>(new CommandDefinition(
                """
                UPDATE app.jobs j SET
                    state = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                                 WHEN j.attempts >= j.max_attempts THEN 'dead' ELSE 'queued' END,
                    error = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'Cancelled.'
                                 WHEN j.attempts >= j.max_attempts
                                 THEN format('The server running it stopped responding %s times; giving up.', j.attempts)
                                 ELSE 'The server running it stopped responding; retrying.' END,
                    phase = CASE WHEN j.cancel_requested_at IS NULL AND j.attempts < j.max_attempts THEN 'queued' ELSE j.phase END,
                    finished_at = CASE WHEN j.cancel_requested_at IS NOT NULL OR j.attempts >= j.max_attempts THEN now() END,
                    lease_owner = NULL, lease_expires_at = NULL, run_after = now(), updated_at = now()
                FROM (SELECT id FROM app.jobs WHERE state = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED) expired
                WHERE j.id = expired.id
                RETURNING j.id, j.state
                """, transaction: t, cancellationToken: cancellationToken))).AsList();
            foreach (var (id, state) in reaped)
            {
                logger.LogWarning("Job {JobId} lost its worker (lease expired); now {State}", id, state);
                await NotifyAsync(c, t, id, cancellationToken);
            }
            return reaped;
        }, cancellationToken);

    /// <summary>Runs work in a system transaction (for handlers that complete without a publish of their own).</summary>
    public Task InSystemTransactionAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken cancellationToken) =>
        database.InSystemAsync(work, cancellationToken);

    private static Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid jobId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@channel, @id)", new { channel = JobChannel, id = jobId.ToString() }, transaction, cancellationToken: cancellationToken));
}

/// <summary>How an attempt that did not succeed ends.</summary>
public enum JobOutcome
{
    /// <summary>The input's fault: no retry.</summary>
    Failed,

    /// <summary>Cancelled by a user.</summary>
    Cancelled,

    /// <summary>Something went wrong that another attempt may not meet: queued again, or dead after the last attempt.</summary>
    Retry,

    /// <summary>This instance is shutting down: back to the queue, the attempt not counted.</summary>
    Released,
}
