using System.ComponentModel.DataAnnotations;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>Section "Datasets".</summary>
public sealed class DatasetOptions
{
    public const string SectionName = "Datasets";

    /// <summary>
    /// Where uploads are spooled until their job has loaded them. With several server instances this
    /// must be storage they all see (a shared volume), so any instance can run (or retry) the job.
    /// </summary>
    public string SpoolDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "astralytiq-spool");

    /// <summary>The largest file an upload may have, in bytes (enforced while it streams).</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Datasets:MaxUploadBytes must be positive.")]
    public long MaxUploadBytes { get; set; } = 2L << 30;

    /// <summary>At most this many columns (PostgreSQL allows 1,600 per table).</summary>
    [Range(1, 1600, ErrorMessage = "Datasets:MaxColumns must be between 1 and 1600.")]
    public int MaxColumns { get; set; } = 1600;

    /// <summary>Profiles are exact up to this many values per column; beyond, sampled (and marked approximate).</summary>
    [Range(1000, 100_000_000, ErrorMessage = "Datasets:ProfileExactLimit must be between 1,000 and 100,000,000.")]
    public int ProfileExactLimit { get; set; } = 2_000_000;

    /// <summary>How often leftovers of dead jobs (staging tables, spool files) are swept.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00", ErrorMessage = "Datasets:SweepInterval must be between 100 ms and 1 day.")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Spool files with no job (an upload that never finished) are removed after this long.</summary>
    public TimeSpan OrphanSpoolAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Directory holding datasets.json and the sample CSVs; when set and Demo:Seed is on, the demo
    /// tenant gets these datasets through the normal upload pipeline (once).
    /// </summary>
    public string? SamplesDirectory { get; set; }
}
