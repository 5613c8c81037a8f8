using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Tests.Identity;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace AstralytiQ.Server.Tests.Datasets;

public sealed class LimitTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task Storage_quota_is_enforced_while_streaming_and_leaves_no_spool_file()
    {
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Plans:Free:StorageBytes"] = "1000000" });
        var session = await fixture.SignUpAsync();
        var client = new DatasetsClient(server.Channel, session);
        var sent = 0;
        IEnumerable<ReadOnlyMemory<byte>> Chunks()
        {
            yield return Encoding.ASCII.GetBytes("id,text\n");
            var line = Encoding.ASCII.GetBytes("1,0123456789012345678901234567890123456789012345678901234567890123456789\n");
            var chunk = Enumerable.Range(0, 1000).SelectMany(_ => line).ToArray();
            for (var i = 0; i < 100; i++)
            {
                sent++;
                yield return chunk;
            }
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(Chunks(), new UploadMetadata { Name = "too big" }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("storage left on your plan", error.Status.Detail, StringComparison.Ordinal);
        Assert.True(sent < 100, "The server should refuse before the whole stream was sent.");
        var spool = server.Services.GetRequiredService<SpoolStore>();
        Assert.DoesNotContain(spool.List(), f => File.GetLastWriteTimeUtc(f.Path) > DateTime.UtcNow.AddMinutes(-1) && new FileInfo(f.Path).Length > 900_000);
        Assert.Empty((await client.Jobs.ListJobsAsync(new ListJobsRequest(), client.Options)).Jobs);
    }

    [Fact]
    public async Task Declared_size_over_the_server_limit_is_refused_before_any_byte()
    {
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Datasets:MaxUploadBytes"] = "1000" });
        var client = new DatasetsClient(server.Channel, await fixture.SignUpAsync());

        var error = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("a\n1\n", new UploadMetadata { Name = "big", SizeBytes = 5000 }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("upload limit", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_column_numeric_for_a_million_rows_and_text_in_the_last_is_text_and_flagged_mixed()
    {
        var client = new DatasetsClient(fixture.Server.Channel, await fixture.SignUpAsync());
        IEnumerable<ReadOnlyMemory<byte>> Chunks()
        {
            yield return Encoding.ASCII.GetBytes("n,v\n");
            var block = new StringBuilder();
            for (var i = 1; i <= 1_000_000; i++)
            {
                block.Append(i).Append(',').Append(i % 1000).Append('\n');
                if (block.Length > 500_000)
                {
                    yield return Encoding.ASCII.GetBytes(block.ToString());
                    block.Clear();
                }
            }
            block.Append("1000001,not a number\n");
            yield return Encoding.ASCII.GetBytes(block.ToString());
        }

        var job = await client.UploadAsync(Chunks(), new UploadMetadata { Name = "million" });
        var final = await client.WaitAsync(job.Id, TimeSpan.FromMinutes(3));

        Assert.True(final.State == JobState.Succeeded, final.Error);
        var dataset = await client.Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = final.DatasetId }, client.Options);
        Assert.Equal(1_000_001, dataset.CurrentVersion.RowCount);
        Assert.Equal(["integer", "text"], dataset.CurrentVersion.Columns.Select(c => c.DataType));
        var profile = await client.ProfileAsync(dataset.Id);
        var issue = Assert.Single(profile.Issues, i => i.Code == "mixed_types");
        Assert.Equal("v", issue.Column);
        Assert.Contains("1,000,000 of 1,000,001 values are numbers, but line 1,000,002 has 'not a number'", issue.Message, StringComparison.Ordinal);
    }
}
