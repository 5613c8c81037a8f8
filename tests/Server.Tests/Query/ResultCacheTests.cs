using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Infrastructure;
using Grpc.Core;

namespace AstralytiQ.Server.Tests.Query;

public sealed class ResultCacheTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    [Fact]
    public async Task The_second_run_of_the_same_query_comes_from_the_cache()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId);

        var first = await admin.RunAsync("SELECT region, sum(amount) FROM sales GROUP BY region ORDER BY region");
        // Different text, same canonical SQL: the same entry.
        var second = await admin.RunAsync("select REGION, SUM(amount)\nfrom SALES group by region order by region -- again");

        Assert.False(first.Cached);
        Assert.True(second.Cached);
        Assert.Equal(first.Rows, second.Rows);
        Assert.Equal(first.Columns, second.Columns);
        Assert.Equal(first.ComputeTime, second.ComputeTime);
        Assert.NotEqual(first.QueryRunId, second.QueryRunId);
        var history = await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest(), admin.Headers);
        Assert.Equal([true, false], history.Runs.Select(r => r.Cached));
    }

    [Fact]
    public async Task A_new_dataset_version_makes_the_old_entry_unreachable()
    {
        var admin = await fixture.SignUpAsync();
        var sales = await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 8);
        const string sql = "SELECT count(*) AS n FROM sales";
        await admin.RunAsync(sql);
        Assert.True((await admin.RunAsync(sql)).Cached);

        var v2 = await fixture.Datasets.PublishVersionAsync(sales, TestDatasets.SalesColumns, TestDatasets.SalesRows(12));
        var afterPublish = await admin.RunAsync(sql);
        var again = await admin.RunAsync(sql);

        Assert.False(afterPublish.Cached);
        Assert.Equal(12, afterPublish.Rows[0].Values[0].Int64Value);
        Assert.Equal(v2.VersionId.ToString(), afterPublish.Tables.Single().DatasetVersionId);
        Assert.Equal(2, afterPublish.Tables.Single().Version);
        Assert.True(again.Cached);
        Assert.Equal(12, again.Rows[0].Values[0].Int64Value);
    }

    [Fact]
    public async Task Tenants_never_share_entries_even_for_identical_sql_and_data()
    {
        var adminA = await fixture.SignUpAsync();
        var adminB = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(adminA.TenantId, rows: 5);
        await fixture.Datasets.CreateSalesAsync(adminB.TenantId, rows: 7);

        await adminA.RunAsync("SELECT count(*) FROM sales");
        var b = await adminB.RunAsync("SELECT count(*) FROM sales");

        Assert.False(b.Cached);
        Assert.Equal(7, b.Rows[0].Values[0].Int64Value);
    }

    [Fact]
    public async Task Skip_cache_runs_again_and_time_dependent_queries_are_never_served_from_cache()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 5);
        await admin.RunAsync("SELECT count(*) FROM sales");

        var skipped = await admin.RunAsync("SELECT count(*) FROM sales", skipCache: true);
        var random1 = await admin.RunAsync("SELECT random() FROM sales LIMIT 1");
        var random2 = await admin.RunAsync("SELECT random() FROM sales LIMIT 1");
        var today = await admin.RunAsync("SELECT CURRENT_DATE - max(sold_on) FROM sales");
        var today2 = await admin.RunAsync("SELECT CURRENT_DATE - max(sold_on) FROM sales");

        Assert.False(skipped.Cached);
        Assert.False(random2.Cached);
        Assert.NotEqual(random1.Rows[0].Values[0].DoubleValue, random2.Rows[0].Values[0].DoubleValue);
        Assert.False(today2.Cached);
        // Their rows are still kept for paging that one run.
        var page = await fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = random1.QueryRunId }, admin.Headers);
        Assert.Equal(random1.Rows[0], page.Rows[0]);
        Assert.Equal(today.Rows, (await fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = today.QueryRunId }, admin.Headers)).Rows);
    }

    [Fact]
    public async Task Without_redis_queries_still_run_and_nothing_is_cached()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 5);
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?>
        {
            ["Redis:Endpoint"] = $"127.0.0.1:{TestEnvironment.FreePort()}",
            ["Redis:ConnectTimeout"] = "00:00:00.500",
        });
        var client = new QueryService.QueryServiceClient(server.Channel);

        var first = await client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales" }, admin.Headers);
        var second = await client.RunSqlAsync(new RunSqlRequest { Sql = "SELECT count(*) FROM sales" }, admin.Headers);

        Assert.Equal((false, false), (first.Cached, second.Cached));
        Assert.Equal(5, second.Rows[0].Values[0].Int64Value);
        var gone = await Assert.ThrowsAsync<RpcException>(() => client.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = second.QueryRunId }, admin.Headers).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, gone.StatusCode);
    }
}
