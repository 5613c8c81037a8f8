using AstralytiQ.Server.Features.Datasets.Typing;
using AstralytiQ.Server.Infrastructure.Jobs;
using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Infrastructure.Validation;
using Dapper;
using Npgsql;

namespace AstralytiQ.Server.Features.Datasets;

public sealed record DatasetRecord(Guid Id, string Name, string SqlName, string Description, Guid? CurrentVersionId, Guid? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record VersionRecord(
    Guid Id, Guid DatasetId, int Version, string PhysicalTable, long RowCount, long SizeBytes, Guid? ParentVersionId, string Source, string? Transformation,
    Guid? CreatedBy, DateTime CreatedAt, Guid? JobId);

public sealed record ColumnRecord(Guid VersionId, int Ordinal, string Name, string Label, string DataType);

/// <summary>A column of a table about to be published.</summary>
public sealed record PublishColumn(string Name, string Label, SqlType Type);

/// <summary>Everything one publication writes, in one transaction.</summary>
public sealed record Publication(
    Guid DatasetId, bool NewDataset, string Name, string? ExplicitSqlName, string Description, Guid VersionId, string StagingTable,
    IReadOnlyList<PublishColumn> Columns, long RowCount, Guid? ParentVersionId, string SourceJson, string? TransformationJson, string ProfileJson,
    Guid? CreatedBy, object JobResult);

/// <summary>What a publication produced.</summary>
public sealed record PublishedVersion(int Version, string SqlName, long SizeBytes);

/// <summary>A lineage row: a version with its dataset's name and liveness.</summary>
public sealed record LineageRecord(Guid Id, Guid DatasetId, string DatasetName, int Version, long RowCount, Guid? ParentVersionId, string Source, string? Transformation, DateTime CreatedAt, bool Current, bool Live);

/// <summary>The catalog's SQL for ingestion, publication, reads, deletion and lineage.</summary>
public sealed class DatasetStore(TenantDatabase database)
{
    private const string DatasetColumns = "id, name, sql_name, description, current_version_id, created_by, created_at, updated_at";
    private const string VersionColumns = "id, dataset_id, version, physical_table, row_count, size_bytes, parent_version_id, source::text AS source, transformation::text AS transformation, created_by, created_at, job_id";

    public const string StagingSchema = "staging";

    /// <summary>The staging table of one attempt of a job (the sweeper parses this name back).</summary>
    public static string StagingTable(Guid jobId, int attempt) => $"j_{jobId:N}_{attempt}";

    public static string PhysicalTable(Guid datasetId, int version) => $"d_{datasetId:N}_v{version}";

    public Task<DatasetRecord?> GetDatasetAsync(Guid tenantId, Guid datasetId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<DatasetRecord>(new CommandDefinition(
            $"SELECT {DatasetColumns} FROM app.datasets WHERE tenant_id = @tenantId AND id = @datasetId AND deleted_at IS NULL",
            new { tenantId, datasetId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<IReadOnlyList<DatasetRecord>> ListDatasetsAsync(Guid tenantId, string? filter, int limit, PageToken? after, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<DatasetRecord>>(tenantId, async (c, t) => (await c.QueryAsync<DatasetRecord>(new CommandDefinition(
            $"""
            SELECT {DatasetColumns} FROM app.datasets
            WHERE tenant_id = @tenantId AND deleted_at IS NULL
              AND (@filter::text IS NULL OR strpos(lower(name), lower(@filter)) > 0 OR strpos(sql_name, lower(@filter)) > 0)
              AND (@afterTime::timestamptz IS NULL OR (created_at, id) < (@afterTime, @afterId))
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """,
            new { tenantId, filter = string.IsNullOrWhiteSpace(filter) ? null : filter.Trim(), afterTime = after?.Time, afterId = after?.GuidId ?? Guid.Empty, limit },
            t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public Task<VersionRecord?> GetVersionAsync(Guid tenantId, Guid versionId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<VersionRecord>(new CommandDefinition(
            $"""
            SELECT {VersionColumns} FROM app.dataset_versions v
            WHERE v.tenant_id = @tenantId AND v.id = @versionId
              AND EXISTS (SELECT 1 FROM app.datasets d WHERE d.id = v.dataset_id AND d.deleted_at IS NULL)
            """,
            new { tenantId, versionId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<IReadOnlyList<VersionRecord>> ListVersionsAsync(Guid tenantId, Guid datasetId, int limit, int? beforeVersion, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<VersionRecord>>(tenantId, async (c, t) => (await c.QueryAsync<VersionRecord>(new CommandDefinition(
            $"""
            SELECT {VersionColumns} FROM app.dataset_versions
            WHERE tenant_id = @tenantId AND dataset_id = @datasetId AND (@beforeVersion::int IS NULL OR version < @beforeVersion)
            ORDER BY version DESC
            LIMIT @limit
            """,
            new { tenantId, datasetId, limit, beforeVersion }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public Task<IReadOnlyList<ColumnRecord>> GetColumnsAsync(Guid tenantId, IReadOnlyCollection<Guid> versionIds, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<ColumnRecord>>(tenantId, async (c, t) => (await c.QueryAsync<ColumnRecord>(new CommandDefinition(
            "SELECT version_id, ordinal, name, label, data_type FROM app.dataset_columns WHERE tenant_id = @tenantId AND version_id = ANY(@ids) ORDER BY version_id, ordinal",
            new { tenantId, ids = versionIds.ToArray() }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    public Task<string?> GetProfileJsonAsync(Guid tenantId, Guid versionId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT profile::text FROM app.dataset_profiles WHERE tenant_id = @tenantId AND version_id = @versionId",
            new { tenantId, versionId }, t, cancellationToken: cancellationToken)), cancellationToken);

    public Task<bool> SqlNameTakenAsync(Guid tenantId, string sqlName, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, (c, t) => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM app.datasets WHERE tenant_id = @tenantId AND sql_name = @sqlName AND deleted_at IS NULL)",
            new { tenantId, sqlName }, t, cancellationToken: cancellationToken)), cancellationToken);

    /// <summary>
    /// Makes a loaded staging table a published version, atomically: moves it into the tenant's
    /// schema under its final name, lets the tenant's reader role SELECT it, writes the dataset (when
    /// new), version, columns and profile rows, points the dataset at the version, and marks the job
    /// succeeded (fenced: only if this worker still holds it). Returns the version number, SQL name and table size.
    /// </summary>
    public Task<PublishedVersion> PublishAsync(JobContext job, Publication p) =>
        database.InTenantAsync(job.TenantId, async (c, t) =>
        {
            var ct = job.CancellationToken;
            var tenantId = job.TenantId;
            string sqlName;
            int version;
            if (p.NewDataset)
            {
                sqlName = p.ExplicitSqlName ?? await FreeSqlNameAsync(c, t, tenantId, ColumnNames.Normalise(p.Name, "dataset"), ct);
                version = 1;
                await c.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO app.datasets (id, tenant_id, name, sql_name, description, current_version_id, created_by)
                    VALUES (@DatasetId, @tenantId, @Name, @sqlName, @Description, @VersionId, @CreatedBy)
                    """,
                    new { p.DatasetId, tenantId, p.Name, sqlName, p.Description, p.VersionId, p.CreatedBy }, t, cancellationToken: ct));
            }
            else
            {
                var current = await c.QuerySingleOrDefaultAsync<(string SqlName, int Latest)?>(new CommandDefinition(
                    """
                    SELECT d.sql_name, coalesce((SELECT max(version) FROM app.dataset_versions v WHERE v.dataset_id = d.id), 0)
                    FROM app.datasets d WHERE d.tenant_id = @tenantId AND d.id = @DatasetId AND d.deleted_at IS NULL
                    FOR UPDATE OF d
                    """,
                    new { tenantId, p.DatasetId }, t, cancellationToken: ct))
                    ?? throw new JobFailedException("The dataset was deleted while this job ran; nothing was published.");
                sqlName = current.SqlName;
                version = current.Latest + 1;
            }

            var schema = TenantNames.Quote(TenantNames.Schema(tenantId));
            var physical = PhysicalTable(p.DatasetId, version);
            await c.ExecuteAsync(new CommandDefinition(
                $"""
                ALTER TABLE {StagingSchema}.{TenantNames.Quote(p.StagingTable)} SET SCHEMA {schema};
                ALTER TABLE {schema}.{TenantNames.Quote(p.StagingTable)} RENAME TO {TenantNames.Quote(physical)};
                GRANT SELECT ON {schema}.{TenantNames.Quote(physical)} TO {TenantNames.Quote(TenantNames.ReaderRole(tenantId))};
                """, transaction: t, cancellationToken: ct));
            var size = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT pg_total_relation_size(format('%I.%I', @schemaName::text, @physical::text)::regclass)",
                new { schemaName = TenantNames.Schema(tenantId), physical }, t, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO app.dataset_versions (id, tenant_id, dataset_id, version, physical_table, row_count, size_bytes, parent_version_id, source, transformation, created_by, job_id)
                VALUES (@VersionId, @tenantId, @DatasetId, @version, @physical, @RowCount, @size, @ParentVersionId, @SourceJson::jsonb, @TransformationJson::jsonb, @CreatedBy, @jobId);
                INSERT INTO app.dataset_columns (version_id, tenant_id, ordinal, name, label, data_type)
                SELECT @VersionId, @tenantId, ordinality::int, name, label, data_type
                FROM unnest(@names::text[], @labels::text[], @types::text[]) WITH ORDINALITY AS c(name, label, data_type, ordinality);
                INSERT INTO app.dataset_profiles (version_id, tenant_id, profile) VALUES (@VersionId, @tenantId, @ProfileJson::jsonb);
                UPDATE app.datasets SET current_version_id = @VersionId, updated_at = now() WHERE id = @DatasetId AND tenant_id = @tenantId;
                """,
                new
                {
                    p.VersionId, tenantId, p.DatasetId, version, physical, p.RowCount, size, p.ParentVersionId, p.SourceJson, p.TransformationJson, p.CreatedBy,
                    jobId = job.JobId, names = p.Columns.Select(x => x.Name).ToArray(), labels = p.Columns.Select(x => x.Label).ToArray(),
                    types = p.Columns.Select(x => SqlTypes.Name(x.Type)).ToArray(), p.ProfileJson,
                }, t, cancellationToken: ct));
            await job.CompleteAsync(c, t, p.JobResult, p.RowCount);
            return new PublishedVersion(version, sqlName, size);
        }, job.CancellationToken);

    private static async Task<string> FreeSqlNameAsync(NpgsqlConnection c, NpgsqlTransaction t, Guid tenantId, string baseName, CancellationToken ct)
    {
        var taken = (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT sql_name FROM app.datasets WHERE tenant_id = @tenantId AND deleted_at IS NULL AND (sql_name = @baseName OR starts_with(sql_name, @prefix))",
            new { tenantId, baseName, prefix = baseName + "_" }, t, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        if (!taken.Contains(baseName))
        {
            return baseName;
        }
        for (var n = 2; ; n++)
        {
            var suffix = "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var candidate = (baseName.Length + suffix.Length > ColumnNames.MaxLength ? baseName[..(ColumnNames.MaxLength - suffix.Length)] : baseName) + suffix;
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>Soft-deletes a dataset and drops its tables in one transaction; returns the bytes freed, or null when not found.</summary>
    public Task<long?> DeleteAsync(Guid tenantId, Guid datasetId, CancellationToken cancellationToken) =>
        database.InTenantAsync<long?>(tenantId, async (c, t) =>
        {
            var found = await c.ExecuteScalarAsync<Guid?>(new CommandDefinition(
                "UPDATE app.datasets SET deleted_at = now(), updated_at = now() WHERE tenant_id = @tenantId AND id = @datasetId AND deleted_at IS NULL RETURNING id",
                new { tenantId, datasetId }, t, cancellationToken: cancellationToken));
            if (found is null)
            {
                return null;
            }
            var versions = (await c.QueryAsync<(string Table, long Size)>(new CommandDefinition(
                "SELECT physical_table, size_bytes FROM app.dataset_versions WHERE tenant_id = @tenantId AND dataset_id = @datasetId",
                new { tenantId, datasetId }, t, cancellationToken: cancellationToken))).AsList();
            var schema = TenantNames.Quote(TenantNames.Schema(tenantId));
            foreach (var (table, _) in versions)
            {
                await c.ExecuteAsync(new CommandDefinition($"DROP TABLE IF EXISTS {schema}.{TenantNames.Quote(table)}", transaction: t, cancellationToken: cancellationToken));
            }
            return versions.Sum(v => v.Size);
        }, cancellationToken);

    /// <summary>Every version connected to the dataset's versions through parents, in both directions, across datasets.</summary>
    public Task<IReadOnlyList<LineageRecord>> LineageAsync(Guid tenantId, Guid datasetId, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<LineageRecord>>(tenantId, async (c, t) => (await c.QueryAsync<LineageRecord>(new CommandDefinition(
            """
            WITH RECURSIVE
            ancestors AS (
                SELECT id, parent_version_id FROM app.dataset_versions WHERE tenant_id = @tenantId AND dataset_id = @datasetId
                UNION
                SELECT v.id, v.parent_version_id FROM app.dataset_versions v JOIN ancestors a ON v.id = a.parent_version_id WHERE v.tenant_id = @tenantId
            ),
            descendants AS (
                SELECT id FROM app.dataset_versions WHERE tenant_id = @tenantId AND dataset_id = @datasetId
                UNION
                SELECT v.id FROM app.dataset_versions v JOIN descendants d ON v.parent_version_id = d.id WHERE v.tenant_id = @tenantId
            ),
            everything AS (SELECT id FROM ancestors UNION SELECT id FROM descendants)
            SELECT v.id, v.dataset_id, d.name AS dataset_name, v.version, v.row_count, v.parent_version_id, v.source::text AS source,
                   v.transformation::text AS transformation, v.created_at, d.current_version_id = v.id AS current, d.deleted_at IS NULL AS live
            FROM everything e
            JOIN app.dataset_versions v ON v.id = e.id
            JOIN app.datasets d ON d.id = v.dataset_id
            ORDER BY v.created_at, v.version
            """,
            new { tenantId, datasetId }, t, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    /// <summary>Runs work in a tenant transaction (previews and transformations read tenant tables this way).</summary>
    public Task<T> InTenantAsync<T>(Guid tenantId, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, work, cancellationToken);
}
