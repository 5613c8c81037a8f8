namespace AstralytiQ.Server.Infrastructure.Jobs;

/// <summary>
/// Runs one kind of job. A handler that publishes something must do it in one transaction with
/// <see cref="JobContext.CompleteAsync"/>, so a job's effect and its "succeeded" are one fact.
/// It must also leave nothing behind when cancelled or failing (or leave only what the sweeper
/// recognises as a dead job's leftovers).
/// </summary>
public interface IJobHandler
{
    /// <summary>The job kind, e.g. "dataset.upload".</summary>
    string Kind { get; }

    Task RunAsync(JobContext context);
}
