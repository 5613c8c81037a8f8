using Npgsql;

namespace AstralytiQ.Server.Infrastructure.Jobs;

/// <summary>
/// What a running handler gets: its job, a token that fires on cancel, lost lease or shutdown,
/// throttled progress reporting, and the fenced completion to call inside its publish transaction.
/// </summary>
public sealed class JobContext
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly JobQueue _queue;
    private readonly string _owner;
    private readonly TimeProvider _clock;
    private long _lastProgressTicks;
    private string _phase = "";

    internal JobContext(JobRecord job, JobQueue queue, string owner, TimeProvider clock, CancellationToken cancellationToken)
    {
        Job = job;
        _queue = queue;
        _owner = owner;
        _clock = clock;
        CancellationToken = cancellationToken;
    }

    public JobRecord Job { get; }

    public Guid JobId => Job.Id;

    public Guid TenantId => Job.TenantId;

    /// <summary>Which attempt this is (1-based).</summary>
    public int Attempt => Job.Attempts;

    /// <summary>Fires when the job is cancelled, its lease is lost, or the server stops.</summary>
    public CancellationToken CancellationToken { get; }

    internal bool Completed { get; private set; }

    /// <summary>Records progress; calls within 250 ms of the last are dropped unless the phase changes.</summary>
    public async Task ReportAsync(string phase, double progress, long rows, bool force = false)
    {
        CancellationToken.ThrowIfCancellationRequested();
        var now = _clock.GetTimestamp();
        if (!force && phase == _phase && _clock.GetElapsedTime(Interlocked.Read(ref _lastProgressTicks), now) < ProgressInterval)
        {
            return;
        }
        _phase = phase;
        Interlocked.Exchange(ref _lastProgressTicks, now);
        await _queue.ReportProgressAsync(Job.Id, _owner, Job.Attempts, phase, progress, rows, CancellationToken);
    }

    /// <summary>Marks the job succeeded within <paramref name="transaction"/>; throws if the job is no longer ours or was cancelled.</summary>
    public async Task CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, object? result, long rows)
    {
        await _queue.CompleteAsync(connection, transaction, Job.Id, _owner, Job.Attempts, result, rows, CancellationToken);
        Completed = true;
    }
}
