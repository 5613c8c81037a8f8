using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Jobs;

/// <summary>
/// Runs jobs on this instance: a few worker loops claim queued jobs of the kinds that have a
/// handler, keep their lease alive with a heartbeat while the handler runs, and record how each
/// attempt ended. One loop also reaps expired leases of jobs whose instance died.
/// </summary>
public sealed class JobWorker(
    IEnumerable<IJobHandler> handlers,
    JobQueue queue,
    JobEvents events,
    IOptions<JobOptions> options,
    TimeProvider clock,
    ILogger<JobWorker> logger) : BackgroundService
{
    private readonly Dictionary<string, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);

    /// <summary>This instance's name in leases: unique per process.</summary>
    public string Owner { get; } = $"{options.Value.InstanceName ?? Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunWorkers || _handlers.Count == 0)
        {
            return;
        }
        var loops = Enumerable.Range(0, options.Value.Workers).Select(i => Task.Run(() => WorkLoopAsync(i == 0, stoppingToken), stoppingToken)).ToArray();
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WorkLoopAsync(bool reaper, CancellationToken stoppingToken)
    {
        var kinds = _handlers.Keys.ToArray();
        var lastReap = long.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (reaper && (lastReap == long.MinValue || clock.GetElapsedTime(lastReap) >= options.Value.PollInterval))
                {
                    lastReap = clock.GetTimestamp();
                    if ((await queue.ReapExpiredLeasesAsync(stoppingToken)).Count > 0)
                    {
                        events.SignalWork();
                    }
                }
                var job = await queue.ClaimAsync(Owner, kinds, stoppingToken);
                if (job is null)
                {
                    await events.WaitForWorkAsync(options.Value.PollInterval, stoppingToken);
                    continue;
                }
                await RunAsync(job, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A worker loop must outlive any one failure: log it and keep claiming.
                logger.LogWarning(ex is NpgsqlException or TimeoutException ? null : ex, "Job worker could not claim or record work ({Reason}); retrying", ex.Message);
                try
                {
                    await Task.Delay(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunAsync(JobRecord job, CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var why = StopReason.None;
        using var subscription = events.Subscribe(job.Id);
        var heartbeat = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // A notification (e.g. a cancel request) makes it check at once; otherwise on the interval.
                    await subscription.WaitAsync(options.Value.HeartbeatInterval, stop.Token);
                    var (owned, cancelRequested) = await queue.HeartbeatAsync(job.Id, Owner, job.Attempts, stop.Token);
                    if (!owned || cancelRequested)
                    {
                        why = owned ? StopReason.Cancelled : StopReason.LeaseLost;
                        await stop.CancelAsync();
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    // The lease outlives a few missed beats; the handler's own database work will fail if PostgreSQL is really gone.
                    logger.LogWarning("Heartbeat for job {JobId} failed: {Reason}", job.Id, ex.Message);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }, CancellationToken.None);

        var context = new JobContext(job, queue, Owner, clock, stop.Token);
        var handler = _handlers[job.Kind];
        logger.LogInformation("Running job {JobId} ({Kind}), attempt {Attempt} of {MaxAttempts}", job.Id, job.Kind, job.Attempts, job.MaxAttempts);
        (JobOutcome Outcome, string? Error, string? Result)? ending = null;
        try
        {
            await handler.RunAsync(context);
            if (!context.Completed)
            {
                await CompleteWithoutResultAsync(context, job);
            }
            logger.LogInformation("Job {JobId} ({Kind}) succeeded", job.Id, job.Kind);
        }
        catch (JobFailedException ex)
        {
            logger.LogInformation("Job {JobId} ({Kind}) failed: {Reason}", job.Id, job.Kind, ex.Message);
            ending = (JobOutcome.Failed, ex.Message, ex.ResultJson);
        }
        catch (JobLeaseLostException)
        {
            logger.LogWarning("Job {JobId} was taken over by another instance; this attempt stops", job.Id);
        }
        catch (Exception ex) when (ex is OperationCanceledException && why == StopReason.LeaseLost)
        {
            logger.LogWarning("Job {JobId} was taken over by another instance; this attempt stops", job.Id);
        }
        catch (Exception ex) when (ex is OperationCanceledException && (why == StopReason.Cancelled || IsCancelMessage(ex)))
        {
            logger.LogInformation("Job {JobId} ({Kind}) was cancelled", job.Id, job.Kind);
            ending = (JobOutcome.Cancelled, "Cancelled.", null);
        }
        catch (Exception ex) when (ex is OperationCanceledException && stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Job {JobId} ({Kind}) released: the server is stopping", job.Id, job.Kind);
            ending = (JobOutcome.Released, null, null);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Job {JobId} ({Kind}) attempt {Attempt} failed unexpectedly", job.Id, job.Kind, job.Attempts);
            var message = ex is PostgresException pg
                ? $"The database refused the work: {pg.MessageText}"
                : "An unexpected error stopped the job; it has been logged.";
            ending = (JobOutcome.Retry, message, null);
        }
        finally
        {
            await stop.CancelAsync();
            await heartbeat;
        }

        if (ending is { } end)
        {
            try
            {
                // Not the stopping token: recording how the attempt ended must survive shutdown.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var state = await queue.FinishAttemptAsync(job.Id, Owner, job.Attempts, end.Outcome, end.Error, end.Result, timeout.Token);
                if (state is JobStates.Queued)
                {
                    events.SignalWork();
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
            {
                // The lease will expire and the reaper will requeue (or bury) the job.
                logger.LogWarning("Could not record the end of job {JobId}: {Reason}", job.Id, ex.Message);
            }
        }
    }

    private async Task CompleteWithoutResultAsync(JobContext context, JobRecord job) =>
        await queue.InSystemTransactionAsync((c, t) => context.CompleteAsync(c, t, null, job.RowsProcessed), context.CancellationToken);

    private static bool IsCancelMessage(Exception ex) => ex.Message == "The job was cancelled.";

    private enum StopReason
    {
        None,
        Cancelled,
        LeaseLost,
    }
}
