using AstralytiQ.QueryEngine;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;
using AstralytiQ.Server.Features.Query;
using AstralytiQ.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AstralytiQ.Server.Tests.Query;

/// <summary>The pieces of execution that need no database: position mapping, typing, the cache format, options.</summary>
public sealed class ExecutionPartsTests
{
    private static readonly TableCatalog Catalog = new([
        new CatalogTable("sales", "t_0123", "ds_abc_v1", [new CatalogColumn("id", "integer"), new CatalogColumn("region", "text"), new CatalogColumn("amount", "numeric")]),
        new CatalogTable("regions", "t_0123", "ds_def_v2", [new CatalogColumn("region", "text"), new CatalogColumn("manager", "text")]),
    ]);

    [Theory]
    // (user SQL, the text PostgreSQL points at in the executed SQL, the text it must map to in the user's SQL)
    [InlineData("select amount + 'x' from sales", "'x'", "'x'")]
    [InlineData("select *, amount + 'x' from sales s", "'x'", "'x'")]
    [InlineData("SELECT s.region, r.manager\nFROM sales s JOIN regions r USING (region)\nWHERE s.amount > 'lots'", "'lots'", "'lots'")]
    [InlineData("with t as (select region, sum(amount) as total from sales group by region)\nselect * from t where total / 0 > 1", "/", "/")]
    [InlineData("select region from sales where id in (select id from sales where amount::integer = 'a')", "'a'", "'a'")]
    [InlineData("select upper(region) from sales order by 1", "upper", "upper")]
    [InlineData("select region from sales where amount   >=   'x'", ">=", ">=")]
    [InlineData("select region from sales where amount between 1 and 'x' || 'y'", "||", "||")]
    public void A_position_in_the_executed_sql_maps_onto_the_same_place_in_the_users_text(string sql, string executedToken, string userToken)
    {
        var prepared = SafeSql.Prepare(sql, Catalog, QueryPolicy.Default);
        Assert.True(prepared.Succeeded, string.Join("; ", prepared.Errors));
        var executed = prepared.ExecutableSql!;

        var span = SqlPositionMapper.Map(prepared.Query!, executed, executed.IndexOf(executedToken, StringComparison.Ordinal), sql);

        Assert.True(span.IsKnown);
        Assert.Equal(sql.IndexOf(userToken, StringComparison.Ordinal), span.Offset);
    }

    [Fact]
    public void A_physical_table_name_maps_onto_the_logical_name_the_user_wrote()
    {
        const string sql = "select count(*)\nfrom   sales";
        var prepared = SafeSql.Prepare(sql, Catalog, QueryPolicy.Default);
        var executed = prepared.ExecutableSql!;

        var span = SqlPositionMapper.Map(prepared.Query!, executed, executed.IndexOf("ds_abc_v1", StringComparison.Ordinal), sql);

        Assert.Equal(sql.IndexOf("sales", StringComparison.Ordinal), span.Offset);
    }

    [Fact]
    public void PostgreSQL_positions_count_code_points_not_utf16_units()
    {
        const string text = "SELECT '😀' || 1 + 'x'";
        // PostgreSQL counts the emoji as one character: 'x' starts at its 19th (1-based), C# index 19.
        Assert.Equal(19, text.IndexOf("'x'", StringComparison.Ordinal));
        Assert.Equal(19, SqlPositionMapper.ToUtf16Offset(text, 19));
        Assert.Equal(text.IndexOf("😀", StringComparison.Ordinal) + 2, SqlPositionMapper.ToUtf16Offset(text, 10));
        Assert.Equal(0, SqlPositionMapper.ToUtf16Offset(text, 1));
        Assert.Equal(text.Length, SqlPositionMapper.ToUtf16Offset(text, 1000));
    }

    [Theory]
    [InlineData(16u, "t", true)]
    [InlineData(16u, "f", false)]
    [InlineData(23u, "-42", -42L)]
    [InlineData(20u, "9223372036854775807", long.MaxValue)]
    [InlineData(701u, "NaN", double.NaN)]
    [InlineData(701u, "-Infinity", double.NegativeInfinity)]
    [InlineData(701u, "1.5e-300", 1.5e-300)]
    [InlineData(1700u, "123456789012345678901234567890.000000001", "123456789012345678901234567890.000000001")]
    [InlineData(1082u, "infinity", "infinity")]
    [InlineData(1082u, "0044-03-15 BC", "0044-03-15 BC")]
    [InlineData(1114u, "10000-01-01 00:00:00", "10000-01-01 00:00:00")]
    [InlineData(1186u, "1 day 02:00:00", "1 day 02:00:00")]
    [InlineData(2950u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")]
    public void PostgreSQL_text_becomes_a_typed_value(uint oid, string text, object expected)
    {
        Assert.Equal(expected, QueryExecutor.Convert(QueryExecutor.KindOf(oid), text));
    }

    [Fact]
    public void Dates_and_timestamps_parse_as_utc()
    {
        Assert.Equal(new DateOnly(2024, 2, 29), QueryExecutor.Convert(ValueKind.Date, "2024-02-29"));
        Assert.Equal(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234560), QueryExecutor.Convert(ValueKind.Timestamp, "2024-01-02 03:04:05.123456"));
        var withZone = (DateTime)QueryExecutor.Convert(ValueKind.Timestamp, "2024-01-02 03:04:05+00");
        Assert.Equal((new DateTime(2024, 1, 2, 3, 4, 5), DateTimeKind.Utc), (DateTime.SpecifyKind(withZone, DateTimeKind.Unspecified), withZone.Kind));
    }

    [Fact]
    public void A_cached_result_reads_back_exactly()
    {
        var result = new QueryResult(
            [new QueryColumn("a", ValueKind.Bool, "boolean"), new QueryColumn("b", ValueKind.Int64, "bigint"), new QueryColumn("c", ValueKind.Double, "double precision"),
             new QueryColumn("d", ValueKind.Decimal, "numeric"), new QueryColumn("e", ValueKind.String, "text"), new QueryColumn("f", ValueKind.Date, "date"),
             new QueryColumn("g", ValueKind.Timestamp, "timestamp with time zone")],
            [
                [true, 1L, 0.5, "1.50", "héllo", new DateOnly(2024, 1, 31), new DateTime(2024, 1, 31, 12, 0, 0, DateTimeKind.Utc)],
                [null, null, double.NaN, null, "", "infinity", "-infinity"],
            ],
            Truncated: true, TimeSpan.FromMilliseconds(12.5), new DateTime(2024, 2, 1, 0, 0, 0, DateTimeKind.Utc), 321);

        var copy = QueryCache.Deserialize(QueryCache.Serialize(result));

        Assert.Equal(result.Columns, copy.Columns);
        Assert.Equal(result.Rows, copy.Rows);
        Assert.Equal((result.Truncated, result.ExecutionTime, result.ComputedAt, result.Bytes), (copy.Truncated, copy.ExecutionTime, copy.ComputedAt, copy.Bytes));
    }

    [Fact]
    public void The_cache_key_depends_on_tenant_versions_sql_and_caps_but_not_version_order()
    {
        var tenant = Guid.NewGuid();
        Guid v1 = Guid.NewGuid(), v2 = Guid.NewGuid();
        var limits = new QueryLimits(100, 1000, TimeSpan.FromSeconds(1), 1024);
        var key = QueryCache.Key(tenant, [v1, v2], "SELECT 1", limits);

        Assert.Equal(key, QueryCache.Key(tenant, [v2, v1], "SELECT 1", limits with { StatementTimeout = TimeSpan.FromSeconds(9) }));
        Assert.NotEqual(key, QueryCache.Key(Guid.NewGuid(), [v1, v2], "SELECT 1", limits));
        Assert.NotEqual(key, QueryCache.Key(tenant, [v1, Guid.NewGuid()], "SELECT 1", limits));
        Assert.NotEqual(key, QueryCache.Key(tenant, [v1, v2], "SELECT 2", limits));
        Assert.NotEqual(key, QueryCache.Key(tenant, [v1, v2], "SELECT 1", limits with { MaxRows = 99 }));
        Assert.StartsWith($"astq:query:{tenant:N}:", key, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT region FROM sales", true)]
    [InlineData("SELECT random() FROM sales", false)]
    [InlineData("SELECT now() - interval '1 day' FROM sales", false)]
    [InlineData("SELECT region FROM sales WHERE id > (SELECT count(*) FROM sales WHERE CURRENT_DATE > date '2020-01-01')", false)]
    [InlineData("SELECT date 'today' FROM sales", false)]
    [InlineData("SELECT 'now'::timestamp FROM sales", false)]
    [InlineData("SELECT age(date '2020-01-01') FROM sales", false)]
    [InlineData("SELECT age(date '2021-01-01', date '2020-01-01') FROM sales", true)]
    public void Results_that_depend_on_the_moment_are_not_shared(string sql, bool shareable)
    {
        var prepared = SafeSql.Prepare(sql, Catalog, QueryPolicy.Default);
        Assert.True(prepared.Succeeded, string.Join("; ", prepared.Errors));

        Assert.Equal(shareable, QueryCache.IsShareable(prepared.Query!));
    }

    [Fact]
    public async Task A_bad_query_setting_stops_the_server_naming_the_setting()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Server:GrpcUrl"] = $"http://127.0.0.1:{TestEnvironment.FreePort()}",
            ["Server:HttpUrl"] = $"http://127.0.0.1:{TestEnvironment.FreePort()}",
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=astq;Username=x",
            ["Postgres:StartupTimeout"] = "00:00:00",
            ["Redis:Endpoint"] = "127.0.0.1:1",
            ["Logging:MinimumLevel"] = "Fatal",
            ["Auth:SigningKey"] = ServerHost.SigningKey,
            ["Query:MaxRows"] = "0",
            ["Query:StatementTimeout"] = "02:00:00",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = ServerApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
            await app.StartAsync();
        });

        Assert.Contains(error.Failures, f => f.Contains("Query:MaxRows must be between 1 and 100000", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Query:StatementTimeout must be between", StringComparison.Ordinal));
    }
}
