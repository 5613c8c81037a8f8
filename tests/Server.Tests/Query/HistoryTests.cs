using AstralytiQ.Api.V1;
using Grpc.Core;

namespace AstralytiQ.Server.Tests.Query;

public sealed class HistoryTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    [Fact]
    public async Task History_pages_newest_first_without_gaps_or_repeats()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 10);
        var sqls = Enumerable.Range(1, 7).Select(i => $"SELECT id FROM sales WHERE id = {i}").ToArray();
        foreach (var sql in sqls)
        {
            await admin.RunAsync(sql);
        }

        var seen = new List<QueryRun>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest { PageSize = 3, PageToken = token }, admin.Headers);
            Assert.InRange(page.Runs.Count, 1, 3);
            seen.AddRange(page.Runs);
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(3, pages);
        Assert.Equal(sqls.Reverse(), seen.Select(r => r.Sql));
        Assert.All(seen, r =>
        {
            Assert.Equal(QueryRunState.Succeeded, r.State);
            Assert.Equal(1, r.RowCount);
            Assert.Equal(["sales"], r.Tables);
            Assert.Equal(admin.UserId.ToString(), r.UserId);
            Assert.StartsWith("SELECT \"sales\".\"id\" FROM \"sales\" WHERE", r.CanonicalSql, StringComparison.Ordinal);
            Assert.True(r.ResultsAvailable);
        });
    }

    [Fact]
    public async Task Users_see_their_own_runs_and_admins_see_everyones_in_their_tenant_only()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 5);
        var analyst = await admin.AddUserAsync(Role.Analyst);
        var other = await admin.AddUserAsync(Role.Analyst);
        var outsider = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(outsider.TenantId, rows: 5);
        await analyst.RunAsync("SELECT 'analyst' FROM sales LIMIT 1");
        await other.RunAsync("SELECT 'other' FROM sales LIMIT 1");
        await admin.RunAsync("SELECT 'admin' FROM sales LIMIT 1");
        await outsider.RunAsync("SELECT 'outsider' FROM sales LIMIT 1");

        var own = await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest(), analyst.Headers);
        var all = await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest(), admin.Headers);
        var filtered = await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest { UserId = other.UserId.ToString() }, admin.Headers);
        var peek = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest { UserId = other.UserId.ToString() }, analyst.Headers).ResponseAsync);
        var outsiders = await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest(), outsider.Headers);

        Assert.Equal(["SELECT 'analyst' FROM sales LIMIT 1"], own.Runs.Select(r => r.Sql));
        Assert.Equal(["SELECT 'admin' FROM sales LIMIT 1", "SELECT 'other' FROM sales LIMIT 1", "SELECT 'analyst' FROM sales LIMIT 1"], all.Runs.Select(r => r.Sql));
        Assert.Equal(["SELECT 'other' FROM sales LIMIT 1"], filtered.Runs.Select(r => r.Sql));
        Assert.Equal(StatusCode.PermissionDenied, peek.StatusCode);
        Assert.Equal(["SELECT 'outsider' FROM sales LIMIT 1"], outsiders.Runs.Select(r => r.Sql));
    }

    [Fact]
    public async Task Results_of_a_run_page_while_they_are_kept_and_only_for_their_owner_or_an_admin()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 30);
        var analyst = await admin.AddUserAsync(Role.Analyst);
        var colleague = await admin.AddUserAsync(Role.Analyst);
        var outsider = await fixture.SignUpAsync();
        var run = await analyst.RunAsync("SELECT id, region FROM sales ORDER BY id");

        var rows = new List<SqlRow>();
        var token = "";
        do
        {
            var page = await fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = run.QueryRunId, PageSize = 12, PageToken = token }, analyst.Headers);
            Assert.Equal(rows.Count, page.FirstRowIndex);
            Assert.Equal(30, page.TotalRowCount);
            Assert.Equal(run.Columns, page.Columns);
            rows.AddRange(page.Rows);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        var byAdmin = await fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = run.QueryRunId }, admin.Headers);
        var byColleague = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = run.QueryRunId }, colleague.Headers).ResponseAsync);
        var byOutsider = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = run.QueryRunId }, outsider.Headers).ResponseAsync);
        var foreignToken = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = run.QueryRunId, PageToken = "bm90LWEtdG9rZW4" }, analyst.Headers).ResponseAsync);

        Assert.Equal(run.Rows, rows);
        Assert.Equal(30, byAdmin.Rows.Count);
        Assert.Equal(StatusCode.NotFound, byColleague.StatusCode);
        Assert.Equal(StatusCode.NotFound, byOutsider.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, foreignToken.StatusCode);
        Assert.StartsWith("page_token:", foreignToken.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_can_be_read_back_and_its_rows_reached_by_index()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 30);
        var analyst = await admin.AddUserAsync(Role.Analyst);
        const string sql = "SELECT id FROM sales ORDER BY id";
        var response = await analyst.RunAsync(sql);

        var run = await fixture.Query.GetQueryRunAsync(new GetQueryRunRequest { QueryRunId = response.QueryRunId }, analyst.Headers);
        var byAdmin = await fixture.Query.GetQueryRunAsync(new GetQueryRunRequest { QueryRunId = response.QueryRunId }, admin.Headers);
        var third = await fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = response.QueryRunId, PageSize = 10, StartIndex = 20 }, analyst.Headers);
        var past = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = response.QueryRunId, StartIndex = 31 }, analyst.Headers).ResponseAsync);

        Assert.Equal((sql, response.CanonicalSql, QueryRunState.Succeeded, 30L, true), (run.Sql, run.CanonicalSql, run.State, run.RowCount, run.ResultsAvailable));
        Assert.Equal(run, byAdmin);
        Assert.Equal(Enumerable.Range(21, 10).Select(i => (long)i), third.Rows.Select(r => r.Values[0].Int64Value));
        Assert.Equal((20L, ""), (third.FirstRowIndex, third.NextPageToken));
        Assert.StartsWith("start_index:", past.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_has_no_results_to_page()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 3);
        await Assert.ThrowsAsync<RpcException>(() => admin.RunAsync("SELECT 1 / 0 FROM sales"));
        var failed = (await fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest(), admin.Headers)).Runs.Single();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = failed.Id }, admin.Headers).ResponseAsync);

        Assert.Equal(QueryRunState.Failed, failed.State);
        Assert.Equal("division by zero", failed.Error);
        Assert.False(failed.ResultsAvailable);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task Bad_paging_input_is_invalid_argument_naming_the_field()
    {
        var admin = await fixture.SignUpAsync();

        var badToken = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest { PageToken = "%%%" }, admin.Headers).ResponseAsync);
        var badSize = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.ListQueryHistoryAsync(new ListQueryHistoryRequest { PageSize = -1 }, admin.Headers).ResponseAsync);
        var badId = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Query.GetQueryResultsAsync(new GetQueryResultsRequest { QueryRunId = "42" }, admin.Headers).ResponseAsync);

        Assert.StartsWith("page_token:", badToken.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("page_size:", badSize.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("query_run_id:", badId.Status.Detail, StringComparison.Ordinal);
    }
}
