using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.Server.Infrastructure.Postgres;
using Dapper;

namespace AstralytiQ.Server.Features.Datasets;

/// <summary>One column of a published dataset version.</summary>
public sealed record DatasetColumn(string Name, string Label, string DataType);

/// <summary>The current published version of a dataset, as queries see it.</summary>
public sealed record DatasetTable(
    Guid DatasetId, Guid VersionId, int Version, string Name, string SqlName, string PhysicalSchema, string PhysicalTable,
    long RowCount, IReadOnlyList<DatasetColumn> Columns);

/// <summary>
/// What a tenant can query: the current version of each live dataset. The single place that turns
/// the catalog into the QueryEngine's <see cref="TableCatalog"/> (logical sql_name -> physical table).
/// </summary>
public sealed class DatasetCatalog(TenantDatabase database)
{
    /// <summary>The tenant's queryable datasets; when <paramref name="datasetIds"/> is given, only those (unknown ids are simply absent).</summary>
    public Task<IReadOnlyList<DatasetTable>> GetCurrentTablesAsync(Guid tenantId, IReadOnlyCollection<Guid>? datasetIds, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<DatasetTable>>(tenantId, async (c, t) =>
        {
            var rows = await c.QueryAsync<(Guid DatasetId, Guid VersionId, int Version, string Name, string SqlName, string PhysicalTable, long RowCount, int Ordinal, string ColumnName, string Label, string DataType)>(new CommandDefinition(
                """
                SELECT d.id, v.id, v.version, d.name, d.sql_name, v.physical_table, v.row_count, c.ordinal, c.name, c.label, c.data_type
                FROM app.datasets d
                JOIN app.dataset_versions v ON v.id = d.current_version_id AND v.tenant_id = d.tenant_id
                JOIN app.dataset_columns c ON c.version_id = v.id AND c.tenant_id = d.tenant_id
                WHERE d.tenant_id = @tenantId AND d.deleted_at IS NULL
                  AND (@ids::uuid[] IS NULL OR d.id = ANY(@ids))
                ORDER BY d.sql_name, c.ordinal
                """,
                new { tenantId, ids = datasetIds?.ToArray() }, t, cancellationToken: cancellationToken));
            var schema = TenantNames.Schema(tenantId);
            return rows.GroupBy(r => r.VersionId)
                .Select(g =>
                {
                    var first = g.First();
                    return new DatasetTable(first.DatasetId, first.VersionId, first.Version, first.Name, first.SqlName, schema, first.PhysicalTable, first.RowCount,
                        g.Select(r => new DatasetColumn(r.ColumnName, r.Label, r.DataType)).ToArray());
                })
                .ToArray();
        }, cancellationToken);

    /// <summary>The QueryEngine catalog for these tables: users write sql_name, the renderer emits the physical table.</summary>
    public static TableCatalog ToQueryCatalog(IEnumerable<DatasetTable> tables) => new(tables.Select(table =>
        new CatalogTable(table.SqlName, table.PhysicalSchema, table.PhysicalTable, table.Columns.Select(c => new CatalogColumn(c.Name, c.DataType)).ToArray())));
}
