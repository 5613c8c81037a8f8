using System.Runtime.CompilerServices;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Tests.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AstralytiQ.Server.Tests.Datasets;

public sealed class SampleSeedingTests : IAsyncLifetime
{
    private readonly IdentityFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Demo_tenant_gets_the_sample_datasets_once_through_the_upload_pipeline()
    {
        const string password = "demo password 123";
        await using var server = await _fixture.StartServerAsync(new Dictionary<string, string?>
        {
            ["Demo:Seed"] = "true",
            ["Demo:AdminPassword"] = password,
            ["Demo:AnalystPassword"] = password,
            ["Datasets:SamplesDirectory"] = SamplesDirectory(),
        });
        var session = await _fixture.LoginAsync("demo-admin@astralytiq.local", password);
        var client = new DatasetsClient(server.Channel, session);

        var deadline = DateTime.UtcNow.AddMinutes(3);
        IReadOnlyList<Dataset> datasets;
        do
        {
            await Task.Delay(500);
            datasets = (await client.Datasets.ListDatasetsAsync(new ListDatasetsRequest(), client.Options)).Datasets;
        }
        while (datasets.Count < 3 && DateTime.UtcNow < deadline);
        var queuedAgain = await server.Services.GetRequiredService<SampleDatasetSeeder>().SeedAsync(CancellationToken.None);

        Assert.Equal(["diamonds", "flights", "retail_sales"], datasets.Select(d => d.SqlName).Order());
        Assert.Equal(40_000, datasets.Single(d => d.SqlName == "flights").CurrentVersion.RowCount);
        var retail = datasets.Single(d => d.SqlName == "retail_sales").CurrentVersion.Columns;
        Assert.Equal(("order_date", "date"), (retail[1].Name, retail[1].DataType));
        Assert.Equal(("returned", "boolean"), (retail[^1].Name, retail[^1].DataType));
        Assert.Equal(0, queuedAgain);
    }

    private static string SamplesDirectory([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", "..", "samples"));
}
