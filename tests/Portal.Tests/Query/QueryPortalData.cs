using AstralytiQ.Portal.Tests.Infrastructure;
using AstralytiQ.Server.Tests.Infrastructure;
using Npgsql;

namespace AstralytiQ.Portal.Tests.Query;

/// <summary>
/// Datasets for the SQL page tests, made the way ingestion publishes them (a typed table in the tenant's
/// schema t_&lt;tenant&gt;, then the catalog rows), and clean-up of the per-tenant query login roles, which
/// live in the cluster rather than the test database.
/// </summary>
public static class QueryPortalData
{
    /// <summary>"sales" for the workspace of <paramref name="email"/>: ids 1..rows, regions north/south/east/west in turn, amount = id * 1.25.</summary>
    public static async Task CreateSalesAsync(PostgresTestDatabase database, string email, int rows)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Guid tenantId;
        await using (var system = new NpgsqlCommand("SELECT set_config('app.system', 'on', true)", connection, transaction))
        {
            await system.ExecuteNonQueryAsync();
        }
        await using (var find = new NpgsqlCommand("SELECT tenant_id FROM app.users WHERE email_key = lower(@email)", connection, transaction))
        {
            find.Parameters.AddWithValue("email", email);
            tenantId = (Guid)(await find.ExecuteScalarAsync())!;
        }
        var datasetId = Guid.NewGuid();
        var versionId = Guid.NewGuid();
        var table = "ds_" + versionId.ToString("N")[..12];
        var qualified = $"\"t_{tenantId:N}\".\"{table}\"";
        var sql = $"""
            CREATE TABLE {qualified} (id integer, region text, amount numeric);
            INSERT INTO {qualified} SELECT g, (ARRAY['north', 'south', 'east', 'west'])[1 + g % 4], g * 1.25 FROM generate_series(1, {rows}) g;
            INSERT INTO app.datasets (id, tenant_id, name, sql_name, current_version_id) VALUES (@dataset, @tenant, 'Sales', 'sales', @version);
            INSERT INTO app.dataset_versions (id, tenant_id, dataset_id, version, physical_table, row_count, size_bytes) VALUES (@version, @tenant, @dataset, 1, @table, {rows}, 0);
            INSERT INTO app.dataset_columns (version_id, tenant_id, ordinal, name, label, data_type) VALUES
                (@version, @tenant, 0, 'id', 'Id', 'integer'), (@version, @tenant, 1, 'region', 'Region', 'text'), (@version, @tenant, 2, 'amount', 'Amount', 'numeric');
            """;
        await using (var create = new NpgsqlCommand(sql, connection, transaction))
        {
            create.Parameters.AddWithValue("dataset", datasetId);
            create.Parameters.AddWithValue("version", versionId);
            create.Parameters.AddWithValue("tenant", tenantId);
            create.Parameters.AddWithValue("table", table);
            await create.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

}

/// <summary>The portal fixture, plus dropping the query login roles its server made.</summary>
public sealed class QueryPortalFixture : IAsyncLifetime
{
    public PortalFixture Portal { get; } = new();

    public Task InitializeAsync() => Portal.InitializeAsync();

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
    }
}
