using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Identity;
using Grpc.Core;

namespace AstralytiQ.Server.Tests.Datasets;

public sealed class IsolationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Tenant_B_cannot_see_preview_profile_transform_or_delete_tenant_A_dataset_even_by_id()
    {
        var a = new DatasetsClient(fixture.Server.Channel, await fixture.SignUpAsync());
        var b = new DatasetsClient(fixture.Server.Channel, await fixture.SignUpAsync());
        var dataset = await a.PublishAsync("secret,value\nx,1\n", "secrets");
        var jobs = await a.Jobs.ListJobsAsync(new ListJobsRequest(), a.Options);
        var jobId = jobs.Jobs[0].Id;
        var transform = new TransformDatasetRequest { DatasetId = dataset.Id };
        transform.Steps.Add(new TransformStep { Filter = new FilterRows { Expression = "value > 0" } });

        var attempts = new Func<Task>[]
        {
            () => b.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = dataset.Id }, b.Options).ResponseAsync,
            () => b.Datasets.PreviewDatasetAsync(new PreviewDatasetRequest { DatasetId = dataset.Id }, b.Options).ResponseAsync,
            () => b.Datasets.GetProfileAsync(new GetDatasetProfileRequest { DatasetId = dataset.Id }, b.Options).ResponseAsync,
            () => b.Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { VersionId = dataset.CurrentVersion.Id }, b.Options).ResponseAsync,
            () => b.Datasets.ListDatasetVersionsAsync(new ListDatasetVersionsRequest { DatasetId = dataset.Id }, b.Options).ResponseAsync,
            () => b.Datasets.GetLineageAsync(new GetLineageRequest { DatasetId = dataset.Id }, b.Options).ResponseAsync,
            () => b.Datasets.TransformDatasetAsync(transform, b.Options).ResponseAsync,
            () => b.Datasets.DeleteDatasetAsync(new DeleteDatasetRequest { DatasetId = dataset.Id }, b.Options).ResponseAsync,
            () => b.UploadAsync("x\n1\n", new UploadMetadata { DatasetId = dataset.Id }),
            () => b.Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, b.Options).ResponseAsync,
            () => b.Jobs.CancelJobAsync(new CancelJobRequest { JobId = jobId }, b.Options).ResponseAsync,
            () => b.WatchAsync(jobId),
        };

        foreach (var attempt in attempts)
        {
            var error = await Assert.ThrowsAsync<RpcException>(attempt);
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
        }
        Assert.Empty((await b.Datasets.ListDatasetsAsync(new ListDatasetsRequest(), b.Options)).Datasets);
        Assert.Empty((await b.Jobs.ListJobsAsync(new ListJobsRequest(), b.Options)).Jobs);
        Assert.Single((await a.Datasets.ListDatasetsAsync(new ListDatasetsRequest(), a.Options)).Datasets);
    }

    [Fact]
    public async Task Datasets_list_pages_and_filters_by_name()
    {
        var client = new DatasetsClient(fixture.Server.Channel, await fixture.SignUpAsync());
        foreach (var name in new[] { "Alpha sales", "Beta costs", "Gamma sales" })
        {
            await client.PublishAsync("a\n1\n", name);
        }

        var first = await client.Datasets.ListDatasetsAsync(new ListDatasetsRequest { PageSize = 2 }, client.Options);
        var second = await client.Datasets.ListDatasetsAsync(new ListDatasetsRequest { PageSize = 2, PageToken = first.NextPageToken }, client.Options);
        var filtered = await client.Datasets.ListDatasetsAsync(new ListDatasetsRequest { Filter = "SALES" }, client.Options);

        Assert.Equal(["Gamma sales", "Beta costs"], first.Datasets.Select(d => d.Name));
        Assert.Equal(["Alpha sales"], second.Datasets.Select(d => d.Name));
        Assert.Equal("", second.NextPageToken);
        Assert.Equal(["Gamma sales", "Alpha sales"], filtered.Datasets.Select(d => d.Name));
    }
}
