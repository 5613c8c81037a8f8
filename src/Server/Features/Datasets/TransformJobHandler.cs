using System.Text.Json;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Audit;
using AstralytiQ.Server.Features.Datasets.Profiling;
using AstralytiQ.Server.Features.Datasets.Transforms;
using AstralytiQ.Server.Features.Datasets.Typing;
using AstralytiQ.Server.Features.Usage;
using AstralytiQ.Server.Infrastructure.Jobs;
using AstralytiQ.Server.Infrastructure.Postgres;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>The input of a "dataset.transform" job.</summary>
public sealed record TransformPayload(
    Guid SourceVersionId, Guid TargetDatasetId, bool NewDataset, string Name, IReadOnlyList<string> Steps, Guid? CreatedBy, string CreatedByLabel)
{
    public static string StepJson(TransformStep step) => JsonFormatter.Default.Format(step);

    public static TransformStep ParseStep(string json) => JsonParser.Default.Parse<TransformStep>(json);

    /// <summary>The version's transformation column: {"steps": [proto JSON of each step]}.</summary>
    public string TransformationJson() => "{\"steps\":[" + string.Join(",", Steps) + "]}";
}

/// <summary>
/// Derives a new version: plans the steps into one SELECT over the (immutable) source version,
/// fills a staging table with INSERT ... SELECT, profiles it, and publishes it with its parent and
/// steps recorded as lineage. The source table is only read.
/// </summary>
public sealed class TransformJobHandler(
    DatasetStore store,
    TenantDatabase database,
    UsageMeter usage,
    AuditLog audit,
    IOptions<DatasetOptions> options,
    ILogger<TransformJobHandler> logger) : IJobHandler
{
    public const string JobKind = "dataset.transform";

    public string Kind => JobKind;

    public async Task RunAsync(JobContext context)
    {
        var payload = JsonSerializer.Deserialize<TransformPayload>(context.Job.Payload, UploadPayload.Json)
            ?? throw new JobFailedException("The job has no transformation description.");
        var ct = context.CancellationToken;
        var source = await store.GetVersionAsync(context.TenantId, payload.SourceVersionId, ct)
            ?? throw new JobFailedException("The source version no longer exists (its dataset was deleted).");
        var sourceColumns = (await store.GetColumnsAsync(context.TenantId, [source.Id], ct))
            .Select(c => new PublishColumn(c.Name, c.Label, SqlTypes.Parse(c.DataType))).ToArray();
        var steps = payload.Steps.Select(TransformPayload.ParseStep).ToArray();
        var staging = DatasetStore.StagingTable(context.JobId, context.Attempt);
        var qualifiedStaging = $"{DatasetStore.StagingSchema}.{TenantNames.Quote(staging)}";
        try
        {
            await context.ReportAsync("transforming", 0.05, 0, force: true);
            TransformPlan plan;
            long rows;
            await using (var connection = await database.DataSource.OpenConnectionAsync(ct))
            await using (var transaction = await connection.BeginTransactionAsync(ct))
            {
                var qualifiedSource = $"{TenantNames.Quote(TenantNames.Schema(context.TenantId))}.{TenantNames.Quote(source.PhysicalTable)}";
                try
                {
                    plan = await TransformPlanner.PlanAsync(connection, transaction, qualifiedSource, sourceColumns, steps, ct);
                }
                catch (TransformException ex)
                {
                    throw new JobFailedException($"{ex.Field}: {ex.Message}");
                }
                var definition = string.Join(", ", plan.Columns.Select(c => $"{TenantNames.Quote(c.Name)} {SqlTypes.Name(c.Type)}"));
                await using (var create = new NpgsqlCommand($"CREATE TABLE {qualifiedStaging} ({definition})", connection, transaction))
                {
                    await create.ExecuteNonQueryAsync(ct);
                }
                await using (var insert = TransformPlanner.Command($"INSERT INTO {qualifiedStaging} SELECT * FROM ({plan.Sql}) result", plan.Parameters, connection, transaction))
                {
                    insert.CommandTimeout = 0;
                    try
                    {
                        rows = await insert.ExecuteNonQueryAsync(ct);
                    }
                    catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("42", StringComparison.Ordinal))
                    {
                        // Data exceptions (a value that does not cast, division by zero): the steps' fault, not the server's.
                        throw new JobFailedException($"The transformation failed on the data: {ex.MessageText}");
                    }
                }
                await transaction.CommitAsync(ct);
            }

            await context.ReportAsync("profiling", 0.6, rows, force: true);
            ProfileDocument profile;
            await using (var connection = await database.DataSource.OpenConnectionAsync(ct))
            {
                await using (var analyze = new NpgsqlCommand($"ANALYZE {qualifiedStaging}", connection))
                {
                    await analyze.ExecuteNonQueryAsync(ct);
                }
                profile = await TableProfiler.ProfileAsync(connection, qualifiedStaging, plan.Columns, options.Value.ProfileExactLimit, ct);
            }

            await context.ReportAsync("publishing", 0.95, rows, force: true);
            var versionId = Guid.NewGuid();
            var published = await store.PublishAsync(context, new Publication(
                payload.TargetDatasetId, payload.NewDataset, payload.Name, null, payload.NewDataset ? $"Derived from version {source.Version} of another dataset." : "",
                versionId, staging, plan.Columns, rows, source.Id, "{}", payload.TransformationJson(), JsonSerializer.Serialize(profile, ProfileDocument.Json), payload.CreatedBy,
                new { datasetId = payload.TargetDatasetId, versionId, badRowCount = 0 }));
            usage.Add(context.TenantId, UsageMetrics.StorageBytes, published.SizeBytes);
            await audit.RecordAsync(context.TenantId, payload.CreatedBy, payload.CreatedByLabel, null, "dataset.transformed", "dataset", payload.TargetDatasetId.ToString(),
                new { versionId, version = published.Version, parentVersionId = source.Id, rows, steps = steps.Length, jobId = context.JobId });
            logger.LogInformation("Transformation published {Rows} rows as version {Version} of dataset {DatasetId}", rows, published.Version, payload.TargetDatasetId);
        }
        catch (Exception ex) when (ex is not JobLeaseLostException)
        {
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(CancellationToken.None);
                await using var drop = new NpgsqlCommand($"SET lock_timeout = '5s'; DROP TABLE IF EXISTS {qualifiedStaging}", connection);
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (NpgsqlException dropError)
            {
                logger.LogWarning("Could not drop staging table {Table} now; the sweeper will: {Reason}", staging, dropError.Message);
            }
            throw;
        }
    }
}
