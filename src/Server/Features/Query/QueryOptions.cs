using System.ComponentModel.DataAnnotations;

namespace AstralytiQ.Server.Features.Query;

/// <summary>Section "Query" (environment: ASTQ__Query__StatementTimeout, ...): limits on running SQL.</summary>
public sealed class QueryOptions : IValidatableObject
{
    public const string SectionName = "Query";

    /// <summary>PostgreSQL statement_timeout for one query; past it the query is stopped.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Query:StatementTimeout must be between 50 milliseconds and 1 hour.")]
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PostgreSQL work_mem for one query, in kilobytes (per sort or hash node).</summary>
    [Range(64, 4_194_304, ErrorMessage = "Query:WorkMemKilobytes must be between 64 (64 kB) and 4194304 (4 GB).")]
    public int WorkMemKilobytes { get; set; } = 64 * 1024;

    /// <summary>Most rows a query returns: a larger LIMIT is lowered, a missing one is added.</summary>
    [Range(1, 100_000, ErrorMessage = "Query:MaxRows must be between 1 and 100000.")]
    public int MaxRows { get; set; } = 10_000;

    /// <summary>
    /// Most bytes of values a result carries (as PostgreSQL prints them, plus a few per value). Past it
    /// the result is truncated. Kept under the 4 MiB gRPC message limit clients apply by default.
    /// </summary>
    [Range(1_024, 3 * 1024 * 1024, ErrorMessage = "Query:MaxResultBytes must be between 1024 and 3145728 (3 MiB).")]
    public int MaxResultBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>How long results stay in the Redis cache (and can be paged with GetQueryResults). 0 turns the cache off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Query:CacheTtl must be between 0 and 1 day.")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Run queries on a per-tenant login role (tq_&lt;tenant&gt;) instead of the application role. Turn off
    /// only where pg_hba.conf cannot admit those roles with a password; then a query runs on the
    /// application's own connection with SET LOCAL ROLE, and RESET ROLE would lead back to it.
    /// </summary>
    public bool IsolatedLogin { get; set; } = true;

    /// <summary>Connections one tenant's queries may hold at once, per server instance (more wait for one).</summary>
    [Range(1, 100, ErrorMessage = "Query:MaxConnectionsPerTenant must be between 1 and 100.")]
    public int MaxConnectionsPerTenant { get; set; } = 4;

    /// <summary>How long a query waits for one of its tenant's connections before it is refused.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Query:ConnectionWaitTimeout must be between 1 second and 10 minutes.")]
    public TimeSpan ConnectionWaitTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StatementTimeout.TotalMilliseconds != Math.Floor(StatementTimeout.TotalMilliseconds))
        {
            yield return new ValidationResult("Query:StatementTimeout must be a whole number of milliseconds.", [nameof(StatementTimeout)]);
        }
    }
}
