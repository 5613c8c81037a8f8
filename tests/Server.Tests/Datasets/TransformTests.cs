using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Identity;
using Grpc.Core;

namespace AstralytiQ.Server.Tests.Datasets;

public sealed class TransformTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private const string Sales = """
        region,product,units,price,sold_on
        West,Lamp,3,10.00,2024-01-05
        East,Desk,,250.00,2024-01-06
        West,Lamp,3,10.00,2024-01-05
        North,Chair,5,40.50,2024-02-01
        East,Lamp,1,10.00,
        """;

    private async Task<(DatasetsClient Client, Dataset Dataset)> SalesAsync()
    {
        var client = new DatasetsClient(fixture.Server.Channel, await fixture.SignUpAsync());
        return (client, await client.PublishAsync(Sales + "\n", "sales"));
    }

    [Fact]
    public async Task Steps_create_a_new_version_with_lineage_and_leave_the_old_one_untouched()
    {
        var (client, dataset) = await SalesAsync();
        var request = new TransformDatasetRequest { DatasetId = dataset.Id };
        request.Steps.Add(new TransformStep { Deduplicate = new Deduplicate() });
        request.Steps.Add(new TransformStep { FillNulls = new FillNulls { Column = "units", Value = "0" } });
        request.Steps.Add(new TransformStep { Filter = new FilterRows { Expression = "region IN ('West', 'East') AND price >= 10" } });
        request.Steps.Add(new TransformStep { Derive = new DerivedColumn { Name = "Revenue", Expression = "units * price" } });
        request.Steps.Add(new TransformStep { Rename = new RenameColumn { Column = "product", NewName = "item" } });
        request.Steps.Add(new TransformStep { DropNulls = new DropNullRows { Columns = { "sold_on" } } });
        request.Steps.Add(new TransformStep { Select = new SelectColumns { Columns = { "region", "item", "revenue", "units" } } });
        request.Steps.Add(new TransformStep { Cast = new CastColumn { Column = "units", Type = ColumnType.Text } });

        var job = await client.Datasets.TransformDatasetAsync(request, client.Options);
        var final = await client.WaitAsync(job.Id);

        Assert.True(final.State == JobState.Succeeded, final.Error);
        var updated = await client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = dataset.Id }, client.Options);
        Assert.Equal(2, updated.CurrentVersion.Version);
        Assert.Equal(dataset.CurrentVersion.Id, updated.CurrentVersion.ParentVersionId);
        Assert.Equal(8, updated.CurrentVersion.Steps.Count);
        Assert.Equal(["region", "item", "revenue", "units"], updated.CurrentVersion.Columns.Select(c => c.Name));
        Assert.Equal(["text", "text", "numeric", "text"], updated.CurrentVersion.Columns.Select(c => c.DataType));
        Assert.Equal(2, updated.CurrentVersion.RowCount);
        var preview = await client.PreviewAsync(dataset.Id);
        Assert.Equal(["West Lamp 30.00 3", "East Desk 0.00 0"], preview.Rows.Select(r => string.Join(" ", r.Cells.Select(CellText.Of))).Order().Reverse());

        var original = await client.Datasets.PreviewDatasetAsync(new PreviewDatasetRequest { DatasetId = dataset.Id, VersionId = dataset.CurrentVersion.Id }, client.Options);
        Assert.Equal(5, original.Rows.Count);

        var lineage = await client.Datasets.GetLineageAsync(new GetLineageRequest { DatasetId = dataset.Id }, client.Options);
        Assert.Equal(2, lineage.Nodes.Count);
        var edge = Assert.Single(lineage.Edges);
        Assert.Equal((dataset.CurrentVersion.Id, updated.CurrentVersion.Id), (edge.FromVersionId, edge.ToVersionId));
        Assert.Equal("upload", lineage.Nodes[0].Origin);
        Assert.Equal("sales.csv (CSV)", lineage.Nodes[0].Summary);
        Assert.StartsWith("deduplicate, fill nulls, filter", lineage.Nodes[1].Summary, StringComparison.Ordinal);
        var profile = await client.ProfileAsync(dataset.Id);
        Assert.Equal(2, profile.RowCount);
    }

    [Fact]
    public async Task Transform_into_a_new_dataset_links_both_in_lineage()
    {
        var (client, dataset) = await SalesAsync();
        var request = new TransformDatasetRequest { DatasetId = dataset.Id, NewDatasetName = "West sales" };
        request.Steps.Add(new TransformStep { Filter = new FilterRows { Expression = "region = 'West'" } });

        var final = await client.WaitAsync((await client.Datasets.TransformDatasetAsync(request, client.Options)).Id);

        Assert.Equal(JobState.Succeeded, final.State);
        Assert.NotEqual(dataset.Id, final.DatasetId);
        var derived = await client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = final.DatasetId }, client.Options);
        Assert.Equal("west_sales", derived.SqlName);
        Assert.Equal(2, derived.CurrentVersion.RowCount);
        var lineage = await client.Datasets.GetLineageAsync(new GetLineageRequest { DatasetId = dataset.Id }, client.Options);
        Assert.Equal(["sales", "West sales"], lineage.Nodes.Select(n => n.DatasetName));
    }

    [Theory]
    [InlineData("price >", "steps[0].filter.expression: the expression ends too early at position 8")]
    [InlineData("prce > 3", "steps[0].filter.expression: unknown column 'prce'")]
    [InlineData("price > 3; DROP TABLE x", "steps[0].filter.expression: unexpected character ';' at position 10")]
    [InlineData("pg_sleep(10) IS NULL", "steps[0].filter.expression: unknown function 'pg_sleep'")]
    [InlineData("region > 3", "steps[0].filter.expression: operator does not exist: text > integer")]
    public async Task Bad_expression_is_invalid_argument_naming_the_step_and_position(string expression, string message)
    {
        var (client, dataset) = await SalesAsync();
        var request = new TransformDatasetRequest { DatasetId = dataset.Id };
        request.Steps.Add(new TransformStep { Filter = new FilterRows { Expression = expression } });

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Datasets.TransformDatasetAsync(request, client.Options).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(message, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_dataset_drops_its_tables_and_frees_its_sql_name()
    {
        var (client, dataset) = await SalesAsync();

        await client.Datasets.DeleteDatasetAsync(new DeleteDatasetRequest { DatasetId = dataset.Id }, client.Options);

        var gone = await Assert.ThrowsAsync<RpcException>(() => client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = dataset.Id }, client.Options).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        var again = await client.PublishAsync(Sales + "\n", "sales");
        Assert.Equal("sales", again.SqlName);
    }
}
