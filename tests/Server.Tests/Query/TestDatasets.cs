using AstralytiQ.Server.Infrastructure.Postgres;
using AstralytiQ.Server.Tests.Infrastructure;
using Npgsql;

namespace AstralytiQ.Server.Tests.Query;

/// <summary>A dataset made for a test, and its current version.</summary>
public sealed record TestDataset(Guid TenantId, Guid DatasetId, Guid VersionId, int Version, string SqlName, string PhysicalTable)
{
    public string PhysicalSchema => TenantNames.Schema(TenantId);
}

/// <summary>
/// Makes datasets the way ingestion publishes them, without ingestion: a typed table in the tenant's
/// schema created and filled by the application role (so the reader role's default SELECT grant
/// applies), then the catalog rows that point at it (app.datasets, dataset_versions, dataset_columns).
/// </summary>
public sealed class TestDatasets(PostgresTestDatabase database)
{
    public static readonly (string Name, string Type)[] SalesColumns =
    [
        ("id", "integer"), ("region", "text"), ("amount", "numeric"), ("price", "double precision"),
        ("sold_on", "date"), ("sold_at", "timestamptz"), ("active", "boolean"),
    ];

    /// <summary>"sales": ids 1..n, four regions in turn (north for ids divisible by 4, then south, east, west), amount = id * 1.25.</summary>
    public Task<TestDataset> CreateSalesAsync(Guid tenantId, int rows = 100, string sqlName = "sales") => CreateAsync(tenantId, sqlName, SalesColumns, SalesRows(rows));

    public static string SalesRows(int rows) => $"""
        SELECT g, (ARRAY['north', 'south', 'east', 'west'])[1 + g % 4], g * 1.25, g / 4.0,
               date '2024-01-01' + g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', g % 2 = 0
        FROM generate_series(1, {rows}) g
        """;

    /// <summary>Creates a dataset whose rows come from <paramref name="rowsSql"/> (a SELECT with one value per column).</summary>
    /// <param name="columns">Name and catalog type (boolean, integer, bigint, numeric, double precision, date, timestamp, timestamptz, text).</param>
    public async Task<TestDataset> CreateAsync(Guid tenantId, string sqlName, IReadOnlyList<(string Name, string Type)> columns, string rowsSql)
    {
        var datasetId = Guid.NewGuid();
        var version = await LoadVersionAsync(tenantId, datasetId, 1, columns, rowsSql, async (c, t, versionId, table, rows) =>
        {
            await ExecuteAsync(c, t, "INSERT INTO app.datasets (id, tenant_id, name, sql_name, current_version_id) VALUES (@id, @tenant, @name, @sqlName, @version)",
                ("id", datasetId), ("tenant", tenantId), ("name", "Dataset " + sqlName), ("sqlName", sqlName), ("version", versionId));
        });
        return version with { SqlName = sqlName };
    }

    /// <summary>Publishes a new version of a dataset with new rows (same or other columns) and makes it current.</summary>
    public async Task<TestDataset> PublishVersionAsync(TestDataset dataset, IReadOnlyList<(string Name, string Type)> columns, string rowsSql)
    {
        var version = await LoadVersionAsync(dataset.TenantId, dataset.DatasetId, dataset.Version + 1, columns, rowsSql, async (c, t, versionId, table, rows) =>
        {
            await ExecuteAsync(c, t, "UPDATE app.datasets SET current_version_id = @version, updated_at = now() WHERE id = @id",
                ("id", dataset.DatasetId), ("version", versionId));
        });
        return version with { SqlName = dataset.SqlName };
    }

    private async Task<TestDataset> LoadVersionAsync(
        Guid tenantId, Guid datasetId, int version, IReadOnlyList<(string Name, string Type)> columns, string rowsSql,
        Func<NpgsqlConnection, NpgsqlTransaction, Guid, string, long, Task> publish)
    {
        var versionId = Guid.NewGuid();
        var table = "ds_" + versionId.ToString("N")[..12] + "_v" + version;
        var qualified = TenantNames.Quote(TenantNames.Schema(tenantId)) + "." + TenantNames.Quote(table);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var definition = string.Join(", ", columns.Select(c => TenantNames.Quote(c.Name) + " " + c.Type));
        await ExecuteAsync(connection, transaction, $"CREATE TABLE {qualified} ({definition})");
        await ExecuteAsync(connection, transaction, $"INSERT INTO {qualified} {rowsSql}");
        long rows;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {qualified}", connection, transaction))
        {
            rows = (long)(await count.ExecuteScalarAsync())!;
        }
        await ExecuteAsync(connection, transaction, "SELECT set_config('app.tenant_id', @tenant, true)", ("tenant", tenantId.ToString()));
        if (version == 1)
        {
            await publish(connection, transaction, versionId, table, rows);
        }
        await ExecuteAsync(connection, transaction,
            "INSERT INTO app.dataset_versions (id, tenant_id, dataset_id, version, physical_table, row_count, size_bytes) VALUES (@id, @tenant, @dataset, @version, @table, @rows, 0)",
            ("id", versionId), ("tenant", tenantId), ("dataset", datasetId), ("version", version), ("table", table), ("rows", rows));
        for (var i = 0; i < columns.Count; i++)
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO app.dataset_columns (version_id, tenant_id, ordinal, name, label, data_type) VALUES (@version, @tenant, @ordinal, @name, @label, @type)",
                ("version", versionId), ("tenant", tenantId), ("ordinal", i), ("name", columns[i].Name), ("label", columns[i].Name.ToUpperInvariant()), ("type", columns[i].Type));
        }
        if (version > 1)
        {
            await publish(connection, transaction, versionId, table, rows);
        }
        await transaction.CommitAsync();
        return new TestDataset(tenantId, datasetId, versionId, version, "", table);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }
}
