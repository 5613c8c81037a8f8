using AstralytiQ.Server.Infrastructure.Jobs;
using AstralytiQ.Server.Infrastructure.Postgres;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>
/// Removes what jobs that did not finish cleanly left behind: staging tables whose job is no
/// longer running that attempt (a dead, failed or cancelled job, an attempt whose server died),
/// and spool files whose job has ended (or that never got a job). Any instance may sweep; drops
/// are idempotent and never wait long for a lock.
/// </summary>
public sealed class StagingSweeper(TenantDatabase database, SpoolStore spool, IOptions<DatasetOptions> options, TimeProvider clock, ILogger<StagingSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            do
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or IOException)
                {
                    logger.LogWarning("Sweeping job leftovers failed; will retry: {Reason}", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One sweep; returns the staging tables dropped and spool files deleted.</summary>
    public async Task<(int Tables, int Files)> SweepAsync(CancellationToken cancellationToken)
    {
        var tables = await database.InSystemAsync(async (c, t) => (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT tablename FROM pg_tables WHERE schemaname = @schema", new { schema = DatasetStore.StagingSchema }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);
        var parsed = tables.Select(Parse).Where(p => p is not null).Select(p => p!.Value).ToList();
        var files = spool.List().ToList();
        var jobIds = parsed.Select(p => p.JobId).Concat(files.Select(f => f.JobId)).Distinct().ToArray();
        var jobs = jobIds.Length == 0
            ? new Dictionary<Guid, (string State, int Attempts)>()
            : (await database.InSystemAsync(async (c, t) => (await c.QueryAsync<(Guid Id, string State, int Attempts)>(new CommandDefinition(
                "SELECT id, state, attempts FROM app.jobs WHERE id = ANY(@jobIds)", new { jobIds }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken))
              .ToDictionary(j => j.Id, j => (j.State, j.Attempts));

        var dropped = 0;
        foreach (var (table, jobId, attempt) in parsed)
        {
            // Only the running attempt of a job owns its staging table.
            if (jobs.TryGetValue(jobId, out var job) && job.State == JobStates.Running && job.Attempts == attempt)
            {
                continue;
            }
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
                await using var drop = new NpgsqlCommand($"SET lock_timeout = '2s'; DROP TABLE IF EXISTS {DatasetStore.StagingSchema}.{TenantNames.Quote(table)}", connection);
                await drop.ExecuteNonQueryAsync(cancellationToken);
                dropped++;
                logger.LogInformation("Dropped staging table {Table} left by job {JobId} ({State})", table, jobId, job.State ?? "gone");
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                // Someone is still using it (a publish in flight); next sweep.
            }
        }

        var deleted = 0;
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (jobId, path, lastWrite) in files)
        {
            var ended = jobs.TryGetValue(jobId, out var job) ? JobStates.IsFinal(job.State) : now - lastWrite > options.Value.OrphanSpoolAge;
            if (ended)
            {
                spool.Delete(jobId);
                deleted++;
            }
        }
        return (dropped, deleted);
    }

    private static (string Table, Guid JobId, int Attempt)? Parse(string table)
    {
        // j_<32 hex>_<attempt>
        var parts = table.Split('_');
        return parts.Length == 3 && parts[0] == "j" && Guid.TryParseExact(parts[1], "N", out var id) && int.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var attempt)
            ? (table, id, attempt)
            : null;
    }
}
