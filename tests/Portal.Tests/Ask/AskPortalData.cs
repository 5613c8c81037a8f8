using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AstralytiQ.Api.V1;
using AstralytiQ.Portal.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Net.Client;

namespace AstralytiQ.Portal.Tests.Ask;

/// <summary>Datasets for the Ask page tests, uploaded through the datasets API so they are profiled as in production.</summary>
public static class AskPortalData
{
    public static readonly string[] Cities = ["Austin", "Boston", "Chicago", "Denver", "Miami", "Seattle"];

    public static readonly string[] Categories = ["Books", "Games", "Garden", "Toys"];

    /// <summary>
    /// "orders": 48 rows; order_id 1..48; order_date one a day from 2024-01-01; city cycles through <see cref="Cities"/>
    /// (by order_id % 6); category through <see cref="Categories"/> (by order_id % 4); quantity 1..5; revenue = order_id * 2.5.
    /// So average revenue is 65 for Books, 57.5 for Games, 60 for Garden, 62.5 for Toys.
    /// </summary>
    public static string OrdersCsv(IReadOnlyList<string>? categories = null)
    {
        categories ??= Categories;
        var csv = new StringBuilder("order_id,order_date,city,category,quantity,revenue\n");
        for (var i = 1; i <= 48; i++)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $"{i},{new DateOnly(2024, 1, 1).AddDays(i - 1):yyyy-MM-dd},{Cities[i % Cities.Length]},{categories[i % categories.Count]},{1 + i % 5},{i * 2.5m:0.00}\n");
        }
        return csv.ToString();
    }

    /// <summary>Uploads a CSV as the user of <paramref name="browser"/> and waits until it is published; returns the dataset id.</summary>
    public static async Task<string> UploadAsync(PortalFixture fixture, FormClient browser, string name, string csv)
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.GrpcAddress);
        var headers = PortalFixture.Bearer(browser);
        Job job;
        using (var upload = new DatasetService.DatasetServiceClient(channel).UploadDataset(headers))
        {
            await upload.RequestStream.WriteAsync(new UploadDatasetRequest { Metadata = new UploadMetadata { Name = name, FileName = name + ".csv" } });
            await upload.RequestStream.WriteAsync(new UploadDatasetRequest { Chunk = ByteString.CopyFromUtf8(csv) });
            await upload.RequestStream.CompleteAsync();
            job = await upload.ResponseAsync;
        }
        var jobs = new JobService.JobServiceClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            job = await jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }, headers);
            if (job.State is JobState.Succeeded)
            {
                return job.DatasetId;
            }
            Assert.True(job.State is JobState.Queued or JobState.Running, $"The upload of {name} ended {job.State}: {job.Error}");
            Assert.True(DateTime.UtcNow < deadline, $"The upload of {name} did not finish in 60 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>A new workspace whose admin (signed in in the returned browser) has uploaded "orders".</summary>
    public static async Task<(FormClient Browser, SignedUp Account, string DatasetId)> WorkspaceWithOrdersAsync(PortalFixture fixture)
    {
        var browser = fixture.NewBrowser();
        var account = await fixture.SignUpAsync(browser);
        var datasetId = await UploadAsync(fixture, browser, "orders", OrdersCsv());
        return (browser, account, datasetId);
    }

    /// <summary>Asks through the page's question form (the new-question form, or the follow-up form once in a conversation).</summary>
    public static Task<PortalPage> AskAsync(FormClient browser, PortalPage page, string question, string? datasetId = null)
    {
        var fields = new Dictionary<string, string> { ["Input.Question"] = question };
        if (datasetId is not null)
        {
            fields["Input.DatasetId"] = datasetId;
        }
        return browser.SubmitAsync(page, fields, "data-testid=\"ask-form\"");
    }

    /// <summary>The value of a hidden or text input named <paramref name="name"/> in the page (first one).</summary>
    public static string? InputValue(PortalPage page, string name)
    {
        var input = Regex.Match(page.Html, $"<input\\b[^>]*name=\"{Regex.Escape(name)}\"[^>]*>").Value;
        var value = Regex.Match(input, "\\svalue=\"(?<v>[^\"]*)\"");
        return value.Success ? System.Net.WebUtility.HtmlDecode(value.Groups["v"].Value) : null;
    }
}
