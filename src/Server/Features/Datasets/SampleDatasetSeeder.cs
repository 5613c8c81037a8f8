using System.Text.Json;
using AstralytiQ.Server.Features.Identity;
using AstralytiQ.Server.Infrastructure.Jobs;
using AstralytiQ.Server.Infrastructure.Postgres;
using Dapper;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>
/// Gives the demo tenant the sample datasets (samples/datasets.json) through the normal upload
/// pipeline: each file is spooled and queued as an upload job, as if the demo admin uploaded it.
/// Idempotent: a sample that exists as a live dataset, or is already queued or loading, is skipped.
/// </summary>
public sealed class SampleDatasetSeeder(
    IOptions<DemoOptions> demo,
    IOptions<DatasetOptions> options,
    IdentityStore identity,
    TenantDatabase database,
    JobQueue jobs,
    JobEvents events,
    SpoolStore spool,
    ILogger<SampleDatasetSeeder> logger) : BackgroundService
{
    private sealed record Manifest(IReadOnlyList<ManifestEntry> Datasets);

    private sealed record ManifestEntry(string Name, string Title, string File, string? Description);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!demo.Value.Seed || string.IsNullOrEmpty(options.Value.SamplesDirectory))
        {
            return;
        }
        try
        {
            await SeedAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or IOException or JsonException)
        {
            logger.LogWarning("Could not seed the demo datasets: {Reason}", ex.Message);
        }
    }

    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        var directory = options.Value.SamplesDirectory!;
        var manifestPath = Path.Combine(directory, "datasets.json");
        if (!File.Exists(manifestPath))
        {
            logger.LogWarning("No sample manifest at {Path}; demo datasets not seeded", manifestPath);
            return 0;
        }
        var tenant = await identity.FindTenantBySlugAsync(DemoSeeder.TenantSlug, cancellationToken);
        if (tenant is null)
        {
            return 0;
        }
        var admin = await identity.FindUserByEmailAsync(demo.Value.AdminEmail, cancellationToken);
        var manifest = JsonSerializer.Deserialize<Manifest>(await File.ReadAllTextAsync(manifestPath, cancellationToken), UploadPayload.Json)!;
        var queued = 0;
        foreach (var entry in manifest.Datasets)
        {
            var file = Path.Combine(directory, Path.GetFileName(entry.File));
            if (!File.Exists(file) || !Typing.ColumnNames.IsValid(entry.Name))
            {
                continue;
            }
            var jobId = Guid.NewGuid();
            var payload = new UploadPayload(Guid.NewGuid(), true, entry.Title, entry.Name, entry.Description ?? "", Path.GetFileName(file), new FileInfo(file).Length,
                null, null, null, null, null, null, false, null, null, admin?.Id, admin?.Email ?? "demo-seeder");
            var enqueued = await database.InTenantAsync(tenant.Id, async (c, t) =>
            {
                // One seeder at a time per tenant, so two instances starting together do not both queue a sample.
                await c.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('astq-demo-samples'))", transaction: t, cancellationToken: cancellationToken));
                var present = await c.ExecuteScalarAsync<bool>(new CommandDefinition(
                    """
                    SELECT EXISTS (SELECT 1 FROM app.datasets WHERE tenant_id = @tenantId AND sql_name = @name AND deleted_at IS NULL)
                        OR EXISTS (SELECT 1 FROM app.jobs WHERE tenant_id = @tenantId AND kind = @kind AND state IN ('queued', 'running') AND payload->>'sqlName' = @name)
                    """,
                    new { tenantId = tenant.Id, name = entry.Name, kind = UploadJobHandler.JobKind }, t, cancellationToken: cancellationToken));
                if (present)
                {
                    return false;
                }
                File.Copy(file, spool.PathOf(jobId));
                await jobs.EnqueueAsync(c, t, new NewJob(jobId, tenant.Id, UploadJobHandler.JobKind, Path.GetFileName(file),
                    JsonSerializer.Serialize(payload, UploadPayload.Json), payload.DatasetId, admin?.Id), cancellationToken);
                return true;
            }, cancellationToken);
            if (enqueued)
            {
                queued++;
                logger.LogInformation("Queued sample dataset {Name} for the demo tenant", entry.Name);
            }
        }
        if (queued > 0)
        {
            events.SignalWork();
        }
        return queued;
    }
}
