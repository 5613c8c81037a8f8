using System.Net;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Pages.Datasets;
using AstralytiQ.Portal.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace AstralytiQ.Portal.Tests.Datasets;

public sealed class DatasetPagesTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private async Task<(FormClient Browser, Job Job)> UploadAsync(string csv, string name)
    {
        var browser = fixture.NewBrowser();
        await fixture.SignUpAsync(browser);
        using var channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress);
        var datasets = new DatasetService.DatasetServiceClient(channel);
        using var call = datasets.UploadDataset(PortalFixture.Bearer(browser));
        await call.RequestStream.WriteAsync(new UploadDatasetRequest { Metadata = new UploadMetadata { Name = name, FileName = name + ".csv" } });
        await call.RequestStream.WriteAsync(new UploadDatasetRequest { Chunk = ByteString.CopyFromUtf8(csv) });
        await call.RequestStream.CompleteAsync();
        return (browser, await call.ResponseAsync);
    }

    [Fact]
    public async Task Job_page_streams_progress_as_server_sent_events_until_done_then_links_the_dataset()
    {
        var (browser, job) = await UploadAsync("city,sales\nParis,10\nLyon,20\nParis,5\n", "cities");
        using (browser)
        {
            var events = await browser.GetAsync($"/Datasets/Job/{job.Id}?handler=Events");

            Assert.Equal(HttpStatusCode.OK, events.Status);
            Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("event: done\ndata: {\"state\":\"succeeded\",\"phase\":\"done\",\"percent\":100", events.Html, StringComparison.Ordinal);

            var page = await browser.GetAsync($"/Datasets/Job/{job.Id}");
            Assert.Equal("succeeded", page.TestId("job-state"));
            Assert.Contains("data-testid=\"open-dataset\"", page.Html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Dataset_pages_list_preview_profile_with_svg_histograms_and_lineage()
    {
        var (browser, job) = await UploadAsync("city,sales\nParis,10\nLyon,20\nParis,5\n", "regional sales");
        using (browser)
        {
            await browser.GetAsync($"/Datasets/Job/{job.Id}?handler=Events");
            var final = await browser.GetAsync($"/Datasets/Job/{job.Id}");
            var datasetId = System.Text.RegularExpressions.Regex.Match(final.Html, "/Datasets/Details/([0-9a-f-]{36})").Groups[1].Value;

            var list = await browser.GetAsync("/Datasets");
            var details = await browser.GetAsync($"/Datasets/Details/{datasetId}");

            Assert.Contains("regional sales", list.Html, StringComparison.Ordinal);
            Assert.Equal("regional_sales", details.TestId("sql-name"));
            Assert.Contains("<td>Lyon</td>", details.Html, StringComparison.Ordinal);
            Assert.Contains("<svg class=\"histogram\" role=\"img\"", details.Html, StringComparison.Ordinal);
            Assert.Contains("<title id=\"h-sales-t\">Histogram of sales", details.Html, StringComparison.Ordinal);
            Assert.Contains("regional sales v1 (current) — upload: regional sales.csv (CSV)", System.Net.WebUtility.HtmlDecode(details.Text), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Transform_form_runs_a_step_as_a_job_and_shows_bad_expressions_next_to_the_field()
    {
        var (browser, job) = await UploadAsync("city,sales\nParis,10\nLyon,20\n", "to transform");
        using (browser)
        {
            await browser.GetAsync($"/Datasets/Job/{job.Id}?handler=Events");
            var datasetId = (await new JobService.JobServiceClient(GrpcChannel.ForAddress(fixture.Server.GrpcAddress))
                .GetJobAsync(new GetJobRequest { JobId = job.Id }, PortalFixture.Bearer(browser))).DatasetId;
            var details = await browser.GetAsync($"/Datasets/Details/{datasetId}");

            var bad = await browser.SubmitAsync(details, new Dictionary<string, string> { ["Transform.Kind"] = "filter", ["Transform.Text"] = "salez > 5" }, "transform-form");
            var good = await browser.SubmitAsync(details, new Dictionary<string, string> { ["Transform.Kind"] = "filter", ["Transform.Text"] = "sales > 15" }, "transform-form");

            Assert.Contains("unknown column &#x27;salez&#x27;", bad.Html, StringComparison.Ordinal);
            Assert.StartsWith("/Datasets/Job/", good.Path, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("filter", "", "a > 1", true)]
    [InlineData("filter", "", "", false)]
    [InlineData("derive", "total", "a * 2", true)]
    [InlineData("derive", "", "a * 2", false)]
    [InlineData("select", "", "a, b", true)]
    [InlineData("drop_nulls", "", "", true)]
    [InlineData("nonsense", "a", "b", false)]
    public void Transform_form_maps_to_one_api_step_only_when_complete(string kind, string column, string text, bool complete)
    {
        var step = DetailsModel.ToStep(new DetailsModel.TransformInput { Kind = kind, Column = column, Text = text });

        Assert.Equal(complete, step is not null);
    }
}
