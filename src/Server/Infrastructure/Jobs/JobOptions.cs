using System.ComponentModel.DataAnnotations;

namespace AstralytiQ.Server.Infrastructure.Jobs;

/// <summary>Section "Jobs": how this instance runs background jobs.</summary>
public sealed class JobOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Run jobs on this instance (an instance that only serves the API can turn it off).</summary>
    public bool RunWorkers { get; set; } = true;

    /// <summary>Jobs this instance runs at once.</summary>
    [Range(1, 64, ErrorMessage = "Jobs:Workers must be between 1 and 64.")]
    public int Workers { get; set; } = 2;

    /// <summary>How long a claimed job stays ours without a heartbeat; after that another instance may take it over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Jobs:LeaseDuration must be between 1 second and 1 hour.")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often queued work is looked for when no notification arrived, and expired leases are reaped.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Jobs:PollInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait before a failed attempt is retried (doubled per attempt).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Jobs:RetryDelay must be between 0 and 1 hour.")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts a job gets before it is dead.</summary>
    [Range(1, 100, ErrorMessage = "Jobs:MaxAttempts must be between 1 and 100.")]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Name of this instance in job leases; host name and process id when empty.</summary>
    public string? InstanceName { get; set; }

    /// <summary>The heartbeat renews the lease this often.</summary>
    public TimeSpan HeartbeatInterval => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, LeaseDuration.Ticks / 3));
}
