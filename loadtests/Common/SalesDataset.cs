using Npgsql;

namespace AstralytiQ.LoadTests;

/// <summary>A dataset as publication leaves it: its table in the tenant's schema and its catalog rows.</summary>
public sealed record BenchDataset(Guid DatasetId, Guid VersionId, string QualifiedTable, long Rows, long SizeBytes);

/// <summary>
/// The benchmarks' dataset, "sales": one row per order line, January 2022 to June 2025, five
/// regions, 40 products in 8 categories, 50,000 customers, quantity 1-10, a unit price around the
/// product's list price, amount = quantity x price, and an active flag (about 85% true). The values
/// come from PostgreSQL's random() with a fixed seed, so every run loads the same rows.
/// <para>
/// The table is written straight into the tenant's schema by the application role (as publication
/// does, so the tenant's reader role may SELECT it), analysed, and given the catalog rows a
/// published version has (dataset, version, columns and, when a profiler is passed, the profile).
/// Uploading a generated CSV through the API would cost minutes per run and measure ingestion, which
/// loadtests/Ingestion does.
/// </para>
/// </summary>
public static class SalesDataset
{
    public const string SqlName = "sales";

    /// <summary>Columns in table order, with their catalog data_type.</summary>
    public static readonly IReadOnlyList<(string Name, string Type)> Columns =
    [
        ("order_id", "integer"), ("order_date", "date"), ("region", "text"), ("category", "text"), ("product", "text"),
        ("customer", "text"), ("quantity", "integer"), ("price", "double precision"), ("amount", "numeric"), ("active", "boolean"),
    ];

    /// <summary>
    /// Writes <paramref name="rows"/> rows and publishes them as dataset "sales"; <paramref name="profile"/>,
    /// when given, returns the profile JSON of the written table (connection, quoted table name).
    /// </summary>
    public static async Task<BenchDataset> CreateAsync(string connectionString, Guid tenantId, int rows, Func<NpgsqlConnection, string, Task<string>>? profile = null)
    {
        var datasetId = Guid.NewGuid();
        var versionId = Guid.NewGuid();
        // The physical name publication gives version 1 (DatasetStore.PhysicalTable).
        var table = $"d_{datasetId:N}_v1";
        var qualified = $"\"t_{tenantId:N}\".\"{table}\"";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"""
            SELECT setseed(0.2025);
            CREATE TABLE {qualified} (order_id integer, order_date date, region text, category text, product text, customer text,
                                      quantity integer, price double precision, amount numeric, active boolean);
            INSERT INTO {qualified}
            SELECT d.g, d.order_date, d.region, p.category, p.product, d.customer, d.quantity, x.price, round((d.quantity * x.price)::numeric, 2), d.active
            FROM (
                SELECT g, date '2022-01-01' + floor(random() * 1277)::integer AS order_date,
                       (ARRAY['North', 'South', 'East', 'West', 'Central'])[1 + floor(random() * 5)::integer] AS region,
                       floor(random() * 40)::integer AS k,
                       'Customer ' || lpad((1 + floor(random() * 50000))::text, 5, '0') AS customer,
                       1 + floor(random() * random() * 10)::integer AS quantity,
                       0.8 + random() * 0.4 AS factor,
                       random() < 0.85 AS active
                FROM generate_series(1, {rows}) AS g
            ) AS d
            JOIN (VALUES
                (0, 'Electronics', 'Laptop', 899.0), (1, 'Electronics', 'Smartphone', 649.0), (2, 'Electronics', 'Headphones', 129.0), (3, 'Electronics', 'Monitor', 229.0), (4, 'Electronics', 'Tablet', 379.0),
                (5, 'Furniture', 'Desk', 249.0), (6, 'Furniture', 'Office Chair', 189.0), (7, 'Furniture', 'Bookshelf', 119.0), (8, 'Furniture', 'Sofa', 799.0), (9, 'Furniture', 'Floor Lamp', 59.0),
                (10, 'Clothing', 'T-Shirt', 19.0), (11, 'Clothing', 'Jeans', 49.0), (12, 'Clothing', 'Winter Jacket', 129.0), (13, 'Clothing', 'Sneakers', 89.0), (14, 'Clothing', 'Dress', 69.0),
                (15, 'Groceries', 'Coffee Beans', 14.0), (16, 'Groceries', 'Green Tea', 6.0), (17, 'Groceries', 'Pasta', 3.0), (18, 'Groceries', 'Olive Oil', 11.0), (19, 'Groceries', 'Dark Chocolate', 4.0),
                (20, 'Toys', 'Jigsaw Puzzle', 24.0), (21, 'Toys', 'Board Game', 39.0), (22, 'Toys', 'Teddy Bear', 22.0), (23, 'Toys', 'Building Blocks', 59.0), (24, 'Toys', 'Kite', 17.0),
                (25, 'Sports', 'Yoga Mat', 29.0), (26, 'Sports', 'Football', 25.0), (27, 'Sports', 'Tennis Racket', 119.0), (28, 'Sports', 'Road Bike', 1099.0), (29, 'Sports', 'Dumbbells', 79.0),
                (30, 'Books', 'Novel', 15.0), (31, 'Books', 'Cookbook', 27.0), (32, 'Books', 'Road Atlas', 21.0), (33, 'Books', 'Comic', 9.0), (34, 'Books', 'Biography', 23.0),
                (35, 'Beauty', 'Shampoo', 8.0), (36, 'Beauty', 'Perfume', 79.0), (37, 'Beauty', 'Lipstick', 18.0), (38, 'Beauty', 'Face Cream', 32.0), (39, 'Beauty', 'Soap Bar', 4.0)
            ) AS p(k, category, product, list_price) ON p.k = d.k
            CROSS JOIN LATERAL (SELECT round((p.list_price * d.factor)::numeric, 2)::double precision AS price) AS x;
            ANALYZE {qualified};
            """, connection))
        {
            create.CommandTimeout = 900;
            await create.ExecuteNonQueryAsync();
        }
        var profileJson = profile is null ? null : await profile(connection, qualified);
        await using var sizeOf = new NpgsqlCommand("SELECT pg_total_relation_size(@qualified::regclass)", connection);
        sizeOf.Parameters.AddWithValue("qualified", qualified);
        var size = (long)(await sizeOf.ExecuteScalarAsync())!;

        await using var transaction = await connection.BeginTransactionAsync();
        await using var catalog = new NpgsqlCommand("""
            SELECT set_config('app.tenant_id', @tenant::text, true);
            INSERT INTO app.datasets (id, tenant_id, name, sql_name, current_version_id) VALUES (@dataset, @tenant, 'Sales', @sqlName, @version);
            INSERT INTO app.dataset_versions (id, tenant_id, dataset_id, version, physical_table, row_count, size_bytes)
            VALUES (@version, @tenant, @dataset, 1, @table, @rows, @size);
            INSERT INTO app.dataset_columns (version_id, tenant_id, ordinal, name, label, data_type)
            SELECT @version, @tenant, ordinal, name, name, type FROM unnest(@names, @types) WITH ORDINALITY AS c(name, type, ordinal);
            INSERT INTO app.dataset_profiles (version_id, tenant_id, profile) SELECT @version, @tenant, @profile::jsonb WHERE @profile IS NOT NULL;
            """, connection, transaction);
        catalog.Parameters.AddWithValue("tenant", tenantId);
        catalog.Parameters.AddWithValue("dataset", datasetId);
        catalog.Parameters.AddWithValue("version", versionId);
        catalog.Parameters.AddWithValue("sqlName", SqlName);
        catalog.Parameters.AddWithValue("table", table);
        catalog.Parameters.AddWithValue("size", size);
        catalog.Parameters.AddWithValue("rows", (long)rows);
        catalog.Parameters.AddWithValue("names", Columns.Select(c => c.Name).ToArray());
        catalog.Parameters.AddWithValue("types", Columns.Select(c => c.Type).ToArray());
        catalog.Parameters.Add(new NpgsqlParameter<string?>("profile", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = profileJson });
        await catalog.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return new BenchDataset(datasetId, versionId, qualified, rows, size);
    }
}
