using AstralytiQ.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Npgsql;

namespace AstralytiQ.Server.Tests.Query;

public sealed class RunSqlTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    [Fact]
    public async Task A_grouped_aggregate_returns_typed_columns_and_rows()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);

        var response = await admin.RunAsync("select region, count(*) as n, sum(amount) total, avg(price) from sales group by region order by region");

        Assert.Equal(["region", "n", "total", "avg"], response.Columns.Select(c => c.Name));
        Assert.Equal([SqlValueType.String, SqlValueType.Int64, SqlValueType.Decimal, SqlValueType.Double], response.Columns.Select(c => c.Type));
        Assert.Equal(["text", "bigint", "numeric", "double precision"], response.Columns.Select(c => c.DatabaseType));
        Assert.Equal(4, response.RowCount);
        var east = response.Rows[0].Values;
        Assert.Equal("east", east[0].StringValue);
        Assert.Equal(25, east[1].Int64Value);
        // ids 2, 6, ..., 98: sum 1250, times 1.25, exactly.
        Assert.Equal("1562.50", east[2].DecimalValue);
        Assert.Equal(12.5, east[3].DoubleValue, 9);
        Assert.False(response.Truncated);
        Assert.False(response.Cached);
        Assert.True(response.ExecutionTime.ToTimeSpan() > TimeSpan.Zero);
        Assert.StartsWith("SELECT \"sales\".\"region\", count(*) AS \"n\"", response.CanonicalSql, StringComparison.Ordinal);
        Assert.EndsWith("LIMIT 50", response.CanonicalSql, StringComparison.Ordinal);
        Assert.Equal("sales", Assert.Single(response.Tables).Name);
        Assert.True(Guid.TryParse(response.QueryRunId, out _));
    }

    [Fact]
    public async Task Every_value_type_maps_to_its_proto_value()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 3);

        var response = await admin.RunAsync("""
            SELECT id, id::bigint AS big, amount, price, sold_on, sold_at, sold_at::timestamp AS local_at, active, region,
                   NULL AS nothing, sold_at - sold_on AS gap, 'NaN'::numeric AS nan, 'infinity'::date AS forever, 1e300::double precision * 10 AS huge
            FROM sales WHERE id = 2
            """);

        var types = response.Columns.ToDictionary(c => c.Name, c => c.Type);
        Assert.Equal(SqlValueType.Int64, types["id"]);
        Assert.Equal(SqlValueType.Int64, types["big"]);
        Assert.Equal(SqlValueType.Decimal, types["amount"]);
        Assert.Equal(SqlValueType.Double, types["price"]);
        Assert.Equal(SqlValueType.Date, types["sold_on"]);
        Assert.Equal(SqlValueType.Timestamp, types["sold_at"]);
        Assert.Equal(SqlValueType.Timestamp, types["local_at"]);
        Assert.Equal(SqlValueType.Bool, types["active"]);
        Assert.Equal(SqlValueType.String, types["region"]);
        Assert.Equal(SqlValueType.String, types["gap"]);
        Assert.Equal("interval", response.Columns.Single(c => c.Name == "gap").DatabaseType);

        var row = Assert.Single(response.Rows).Values;
        var value = response.Columns.Select((c, i) => (c.Name, Value: row[i])).ToDictionary(x => x.Name, x => x.Value);
        Assert.Equal(2, value["id"].Int64Value);
        Assert.Equal(2, value["big"].Int64Value);
        Assert.Equal("2.50", value["amount"].DecimalValue);
        Assert.Equal(0.5, value["price"].DoubleValue);
        Assert.Equal("2024-01-03", value["sold_on"].DateValue);
        Assert.Equal(new DateTime(2024, 1, 1, 2, 0, 0, DateTimeKind.Utc), value["sold_at"].TimestampValue.ToDateTime());
        Assert.Equal(new DateTime(2024, 1, 1, 2, 0, 0, DateTimeKind.Utc), value["local_at"].TimestampValue.ToDateTime());
        Assert.True(value["active"].BoolValue);
        Assert.Equal("east", value["region"].StringValue);
        Assert.Equal(SqlValue.KindOneofCase.NullValue, value["nothing"].KindCase);
        Assert.Equal(NullValue.NullValue, value["nothing"].NullValue);
        Assert.Equal("-1 days -22:00:00", value["gap"].StringValue);
        Assert.Equal("NaN", value["nan"].DecimalValue);
        // Values .NET cannot hold as dates stay as PostgreSQL prints them.
        Assert.Equal("infinity", value["forever"].StringValue);
        Assert.Equal(SqlValueType.Date, types["forever"]);
        Assert.Equal(1e301, value["huge"].DoubleValue);
    }

    [Fact]
    public async Task Validation_errors_are_invalid_argument_with_line_column_and_snippet()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);

        var error = await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync("SELECT region,\n       amout\nFROM sales"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("sql: line 2, column 8:", error.Status.Detail, StringComparison.Ordinal);
        var detail = Assert.Single(error.SqlErrors().Errors);
        Assert.Equal(SqlErrorCode.UnknownColumn, detail.Code);
        Assert.Equal((2, 8, 22, 5), (detail.Line, detail.Column, detail.Offset, detail.Length));
        Assert.Contains("amount", detail.Message, StringComparison.Ordinal);
        Assert.Equal("2 |        amout\n  |        ^^^^^", detail.Snippet);
        var badRequest = AstralytiQ.Server.Infrastructure.Errors.RpcErrors.GetRichStatus(error)!.Details.Single(d => d.Is(Google.Rpc.BadRequest.Descriptor)).Unpack<Google.Rpc.BadRequest>();
        Assert.Equal("sql", Assert.Single(badRequest.FieldViolations).Field);
    }

    [Fact]
    public async Task A_database_error_points_at_the_users_text_not_the_executed_sql()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);
        // The executed SQL differs before the error (quoted names, the physical table, an expanded *),
        // yet the position PostgreSQL reports must land on the user's 'lots'.
        const string sql = "select *,\n  amount + 'lots' as more\nfrom sales s";

        var error = await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync(sql));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var detail = Assert.Single(error.SqlErrors().Errors);
        Assert.Equal(SqlErrorCode.Database, detail.Code);
        Assert.Equal("22P02", detail.SqlState);
        Assert.Contains("invalid input syntax for type numeric: \"lots\"", detail.Message, StringComparison.Ordinal);
        Assert.Equal(sql.IndexOf("'lots'", StringComparison.Ordinal), detail.Offset);
        Assert.Equal((2, 12), (detail.Line, detail.Column));
        Assert.Equal("2 |   amount + 'lots' as more\n  |            ^^^^^^", detail.Snippet);
        Assert.StartsWith("sql: line 2, column 12: invalid input syntax", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_type_error_names_the_operator_position_and_hint()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);
        const string sql = "SELECT region FROM sales WHERE sold_on > 5";

        var error = await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync(sql));

        var detail = Assert.Single(error.SqlErrors().Errors);
        Assert.Equal("42883", detail.SqlState);
        Assert.Contains("operator does not exist: date > integer", detail.Message, StringComparison.Ordinal);
        Assert.Equal(sql.IndexOf('>', StringComparison.Ordinal), detail.Offset);
        Assert.Contains("explicit type casts", detail.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runtime_error_without_a_position_still_explains_itself()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);

        var error = await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync("SELECT sum(amount) / 0 FROM sales"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var detail = Assert.Single(error.SqlErrors().Errors);
        Assert.Equal(("22012", "division by zero", -1), (detail.SqlState, detail.Message, detail.Offset));
    }

    [Theory]
    [InlineData("DELETE FROM sales", SqlErrorCode.StatementNotAllowed)]
    [InlineData("SELECT 1; DROP TABLE sales", SqlErrorCode.StatementNotAllowed)]
    [InlineData("SELECT pg_sleep(10)", SqlErrorCode.FunctionNotAllowed)]
    [InlineData("SELECT set_config('role', 'postgres', true)", SqlErrorCode.FunctionNotAllowed)]
    [InlineData("SELECT relname FROM pg_class", SqlErrorCode.SchemaNotAllowed)]
    [InlineData("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r", SqlErrorCode.RecursiveQuery)]
    [InlineData("SELECT * FROM sales FOR UPDATE", SqlErrorCode.StatementNotAllowed)]
    [InlineData("SELECT * FROM customers", SqlErrorCode.UnknownTable)]
    public async Task Policy_refusals_never_reach_the_database(string sql, SqlErrorCode code)
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);

        var error = await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync(sql));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(error.SqlErrors().Errors, e => e.Code == code);
        var history = await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest(), admin.Headers);
        var run = Assert.Single(history.Runs);
        Assert.Equal(QueryRunState.Invalid, run.State);
        Assert.Equal(sql, run.Sql);
    }

    [Fact]
    public async Task Empty_and_oversized_sql_are_refused_naming_the_field()
    {
        var admin = await fixture.SignUpAsync();

        var empty = await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync("  \n "));
        var huge = await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync("SELECT " + new string('1', 100_001)));

        Assert.Equal((StatusCode.InvalidArgument, "sql: is required"), (empty.StatusCode, empty.Status.Detail));
        Assert.Equal(StatusCode.InvalidArgument, huge.StatusCode);
        Assert.StartsWith("sql: must be at most", huge.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_row_cap_truncates_and_says_so_while_a_smaller_limit_does_not()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);

        var capped = await admin.RunAsync("SELECT id FROM sales ORDER BY id");
        var lowered = await admin.RunAsync("SELECT id FROM sales ORDER BY id LIMIT 500");
        var small = await admin.RunAsync("SELECT id FROM sales ORDER BY id LIMIT 5");
        var exact = await admin.RunAsync("SELECT id FROM sales WHERE id <= 50 ORDER BY id");

        Assert.Equal((QueryFixture.MaxRows, true), (capped.RowCount, capped.Truncated));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), capped.Rows.Select(r => r.Values[0].Int64Value));
        Assert.Equal(QueryFixture.MaxRows, capped.EffectiveLimit);
        Assert.Contains(capped.Notices, n => n.Contains("cut short", StringComparison.Ordinal));
        Assert.Equal((QueryFixture.MaxRows, true), (lowered.RowCount, lowered.Truncated));
        Assert.Contains(lowered.Notices, n => n.Contains("LIMIT 500 was lowered", StringComparison.Ordinal));
        Assert.Equal((5, false), (small.RowCount, small.Truncated));
        // Exactly as many rows as the cap: nothing was cut.
        Assert.Equal((50L, false), (exact.RowCount, exact.Truncated));
    }

    [Fact]
    public async Task The_byte_cap_truncates_wide_results()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Query:MaxResultBytes"] = "1024" });
        var client = new QueryService.QueryServiceClient(server.Channel);

        var response = await client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT id, repeat(region, 20) AS wide FROM sales ORDER BY id LIMIT 20" }, admin.Headers);

        Assert.True(response.Truncated);
        Assert.InRange(response.RowCount, 1, 19);
        Assert.True(response.CalculateSize() < 1024 + 512);
    }

    [Fact]
    public async Task A_query_past_the_statement_timeout_is_deadline_exceeded_with_a_clear_message()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 2000);
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync("SELECT count(*) FROM sales a, sales b, sales c"));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("longer than the 1500-millisecond limit", error.Status.Detail, StringComparison.Ordinal);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(15));
        var history = await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest(), admin.Headers);
        Assert.Equal(QueryRunState.TimedOut, Assert.Single(history.Runs).State);
    }

    [Fact]
    public async Task Cancelling_the_call_cancels_the_query_in_postgres()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 2000);
        // A long statement timeout, so only the cancellation can stop the query within the test.
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Query:StatementTimeout"] = "00:01:00" });
        var client = new QueryService.QueryServiceClient(server.Channel);
        using var cancel = new CancellationTokenSource();
        var call = client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales a, sales b, sales c" }, admin.Headers, cancellationToken: cancel.Token);
        var login = QueryRoles.Login(admin.TenantId);
        await WaitForAsync(async () => await ActiveQueriesAsync(login) > 0, "the query to start");

        cancel.Cancel();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await WaitForAsync(async () => await ActiveQueriesAsync(login) == 0, "PostgreSQL to stop the query");
        await WaitForAsync(async () =>
        {
            var history = await client.ListQueryHistoryAsync(new ListQueryHistoryRequest(), admin.Headers);
            return history.Runs.Count == 1 && history.Runs[0].State == QueryRunState.Cancelled;
        }, "the run to be recorded as cancelled");
    }

    [Fact]
    public async Task A_tenant_with_all_its_connections_busy_gets_resource_exhausted_not_a_hang()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 2000);
        var other = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(other.TenantId, rows: 5);
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?>
        {
            ["Query:MaxConnectionsPerTenant"] = "1",
            ["Query:ConnectionWaitTimeout"] = "00:00:01",
            ["Query:StatementTimeout"] = "00:00:02.500",
        });
        var client = new QueryService.QueryServiceClient(server.Channel);
        var slow = client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales a, sales b, sales c" }, admin.Headers);
        await WaitForAsync(async () => await ActiveQueriesAsync(QueryRoles.Login(admin.TenantId)) > 0, "the slow query to start");

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales" }, admin.Headers).ResponseAsync);
        // Another tenant has connections of its own.
        var otherTenant = await client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales" }, other.Headers);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("running at once", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(5, otherTenant.Rows[0].Values[0].Int64Value);
        Assert.Equal(StatusCode.DeadlineExceeded, (await Assert.ThrowsAsync<RpcException>(() => slow.ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task A_viewer_can_validate_but_not_run()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);
        var viewer = await admin.AddUserAsync(Role.Viewer);

        var validated = await fixture.Query.ValidateSqlAsync(new ValidateSqlRequest { Sql = "SELECT region FROM sales" }, viewer.Headers);
        var refused = await Assert.ThrowsAsync<RpcException>(() => viewer.RunAsync("SELECT region FROM sales"));

        Assert.True(validated.Valid);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        var analyst = await admin.AddUserAsync(Role.Analyst);
        Assert.Equal(50, (await analyst.RunAsync("SELECT region FROM sales")).RowCount);
    }

    [Fact]
    public async Task RunSql_spends_the_query_budget()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);
        var analyst = await admin.AddUserAsync(Role.Analyst);
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["RateLimits:QueryPerHourFree"] = "3" });
        var client = new QueryService.QueryServiceClient(server.Channel);

        for (var i = 0; i < 3; i++)
        {
            await client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales" }, analyst.Headers);
        }
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales" }, analyst.Headers).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.NotNull(refused.Trailers.GetValue("retry-after"));
        // Validation is not a query: it stays available.
        await client.ValidateSqlAsync(new ValidateSqlRequest { Sql = "SELECT count(*) FROM sales" }, analyst.Headers);
    }

    [Fact]
    public async Task Every_run_is_audited_without_row_data_and_counted_as_usage()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);

        var response = await admin.RunAsync("SELECT region FROM sales WHERE id = 3");
        await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync("SELECT nope FROM sales"));

        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var audit = new NpgsqlCommand(
            "SELECT target_id, outcome, details::text FROM app.audit_log WHERE tenant_id = @tenant AND action = 'query.run' ORDER BY id", connection);
        audit.Parameters.AddWithValue("tenant", admin.TenantId);
        var entries = new List<(string Target, string Outcome, string Details)>();
        await using (var reader = await audit.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                entries.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        Assert.Equal(2, entries.Count);
        Assert.Equal((response.QueryRunId, "success"), (entries[0].Target, entries[0].Outcome));
        Assert.Contains("\"sqlSha256\":", entries[0].Details, StringComparison.Ordinal);
        Assert.Contains("\"tables\": [\"sales\"]", entries[0].Details, StringComparison.Ordinal);
        Assert.DoesNotContain("west", entries[0].Details, StringComparison.Ordinal);
        Assert.Equal("failure", entries[1].Outcome);

        var usage = await fixture.Admin.GetUsageAsync(new GetUsageRequest(), admin.Headers);
        Assert.Equal(1, usage.Totals.Single(m => m.Metric == "queries").Amount);
    }

    private async Task<long> ActiveQueriesAsync(string login)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE usename = @login AND state = 'active'", connection);
        command.Parameters.AddWithValue("login", login);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
            await Task.Delay(20);
        }
    }
}
