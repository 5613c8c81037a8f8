using AstralytiQ.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AstralytiQ.Server.Tests.Query;

public sealed class SavedQueryTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    private QueryService.QueryServiceClient Query => fixture.Query;

    [Fact]
    public async Task A_saved_query_can_be_read_updated_and_deleted()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 5);
        var analyst = await admin.AddUserAsync(Role.Analyst);

        var saved = await Query.SaveQueryAsync(new SaveQueryRequest { Name = " Revenue by region ", Description = "For the weekly report", Sql = "SELECT region, sum(amount) FROM sales GROUP BY region" }, analyst.Headers);
        var read = await Query.GetSavedQueryAsync(new GetSavedQueryRequest { SavedQueryId = saved.Id }, admin.Headers);
        var renamed = await Query.UpdateSavedQueryAsync(new UpdateSavedQueryRequest
        {
            SavedQuery = new SavedQuery { Id = saved.Id, Name = "Revenue (all regions)", Sql = "ignored: not in the mask" },
            UpdateMask = new FieldMask { Paths = { "name" } },
        }, analyst.Headers);
        await Query.DeleteSavedQueryAsync(new DeleteSavedQueryRequest { SavedQueryId = saved.Id }, analyst.Headers);
        var gone = await Assert.ThrowsAsync<RpcException>(() => Query.GetSavedQueryAsync(new GetSavedQueryRequest { SavedQueryId = saved.Id }, analyst.Headers).ResponseAsync);

        Assert.Equal("Revenue by region", saved.Name);
        Assert.Equal(analyst.UserId.ToString(), saved.OwnerId);
        Assert.Equal(saved, read);
        Assert.Equal("Revenue (all regions)", renamed.Name);
        Assert.Equal(saved.Sql, renamed.Sql);
        Assert.Equal(saved.Description, renamed.Description);
        Assert.True(renamed.UpdateTime.ToDateTime() >= saved.UpdateTime.ToDateTime());
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Saving_refuses_invalid_sql_with_positions_and_duplicate_names()
    {
        var admin = await fixture.SignUpAsync();
        await fixture.Datasets.CreateSalesAsync(admin.TenantId, rows: 5);
        await Query.SaveQueryAsync(new SaveQueryRequest { Name = "Counts", Sql = "SELECT count(*) FROM sales" }, admin.Headers);

        var invalid = await Assert.ThrowsAsync<RpcException>(() => Query.SaveQueryAsync(new SaveQueryRequest { Name = "Broken", Sql = "SELECT count(*) FROM salez" }, admin.Headers).ResponseAsync);
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => Query.SaveQueryAsync(new SaveQueryRequest { Name = "COUNTS", Sql = "SELECT 1" }, admin.Headers).ResponseAsync);
        var noName = await Assert.ThrowsAsync<RpcException>(() => Query.SaveQueryAsync(new SaveQueryRequest { Name = " ", Sql = "SELECT 1" }, admin.Headers).ResponseAsync);
        var badMask = await Assert.ThrowsAsync<RpcException>(() => Query.UpdateSavedQueryAsync(new UpdateSavedQueryRequest
        {
            SavedQuery = new SavedQuery { Id = Guid.NewGuid().ToString() },
            UpdateMask = new FieldMask { Paths = { "owner_id" } },
        }, admin.Headers).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        var error = Assert.Single(invalid.SqlErrors().Errors);
        Assert.Equal((SqlErrorCode.UnknownTable, 1, 22), (error.Code, error.Line, error.Column));
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
        Assert.StartsWith("name:", noName.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("update_mask:", badMask.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saved_queries_page_and_filter_within_the_tenant()
    {
        var admin = await fixture.SignUpAsync();
        var outsider = await fixture.SignUpAsync();
        for (var i = 1; i <= 5; i++)
        {
            await Query.SaveQueryAsync(new SaveQueryRequest { Name = $"Report {i}", Sql = $"SELECT {i}" }, admin.Headers);
        }
        await Query.SaveQueryAsync(new SaveQueryRequest { Name = "Other 100%_x", Sql = "SELECT 0" }, admin.Headers);
        await Query.SaveQueryAsync(new SaveQueryRequest { Name = "Theirs", Sql = "SELECT 1" }, outsider.Headers);

        var names = new List<string>();
        var token = "";
        do
        {
            var page = await Query.ListSavedQueriesAsync(new ListSavedQueriesRequest { PageSize = 4, PageToken = token }, admin.Headers);
            names.AddRange(page.SavedQueries.Select(q => q.Name));
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        var filtered = await Query.ListSavedQueriesAsync(new ListSavedQueriesRequest { NameContains = "report" }, admin.Headers);
        var literal = await Query.ListSavedQueriesAsync(new ListSavedQueriesRequest { NameContains = "0%_" }, admin.Headers);

        Assert.Equal(["Other 100%_x", "Report 5", "Report 4", "Report 3", "Report 2", "Report 1"], names);
        Assert.Equal(5, filtered.SavedQueries.Count);
        Assert.Equal(["Other 100%_x"], literal.SavedQueries.Select(q => q.Name));
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_may_change_a_saved_query_and_other_tenants_get_not_found()
    {
        var admin = await fixture.SignUpAsync();
        var owner = await admin.AddUserAsync(Role.Analyst);
        var colleague = await admin.AddUserAsync(Role.Analyst);
        var viewer = await admin.AddUserAsync(Role.Viewer);
        var outsider = await fixture.SignUpAsync();
        var saved = await Query.SaveQueryAsync(new SaveQueryRequest { Name = "Mine", Sql = "SELECT 1" }, owner.Headers);
        var id = new DeleteSavedQueryRequest { SavedQueryId = saved.Id };

        var byColleague = await Assert.ThrowsAsync<RpcException>(() => Query.DeleteSavedQueryAsync(id, colleague.Headers).ResponseAsync);
        var byViewer = await Assert.ThrowsAsync<RpcException>(() => Query.DeleteSavedQueryAsync(id, viewer.Headers).ResponseAsync);
        var viewerSave = await Assert.ThrowsAsync<RpcException>(() => Query.SaveQueryAsync(new SaveQueryRequest { Name = "V", Sql = "SELECT 1" }, viewer.Headers).ResponseAsync);
        var outsiderGet = await Assert.ThrowsAsync<RpcException>(() => Query.GetSavedQueryAsync(new GetSavedQueryRequest { SavedQueryId = saved.Id }, outsider.Headers).ResponseAsync);
        var outsiderDelete = await Assert.ThrowsAsync<RpcException>(() => Query.DeleteSavedQueryAsync(id, outsider.Headers).ResponseAsync);
        var viewerRead = await Query.GetSavedQueryAsync(new GetSavedQueryRequest { SavedQueryId = saved.Id }, viewer.Headers);
        var outsiderList = await Query.ListSavedQueriesAsync(new ListSavedQueriesRequest(), outsider.Headers);
        await Query.DeleteSavedQueryAsync(id, admin.Headers);

        Assert.Equal(StatusCode.PermissionDenied, byColleague.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, byViewer.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, viewerSave.StatusCode);
        Assert.Equal(StatusCode.NotFound, outsiderGet.StatusCode);
        Assert.Equal(StatusCode.NotFound, outsiderDelete.StatusCode);
        Assert.Equal("Mine", viewerRead.Name);
        Assert.Empty(outsiderList.SavedQueries);
    }
}
