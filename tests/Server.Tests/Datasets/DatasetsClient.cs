using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Tests.Identity;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace AstralytiQ.Server.Tests.Datasets;

/// <summary>Upload, watch and read datasets as a signed-in test user.</summary>
public sealed class DatasetsClient(GrpcChannel channel, TestSession session)
{
    public DatasetService.DatasetServiceClient Datasets { get; } = new(channel);

    public JobService.JobServiceClient Jobs { get; } = new(channel);

    public TestSession Session => session;

    public CallOptions Options => session.Options;

    public Task<Job> UploadAsync(string text, UploadMetadata metadata, Encoding? encoding = null) =>
        UploadAsync((encoding ?? new UTF8Encoding(false)).GetBytes(text), metadata);

    public async Task<Job> UploadAsync(byte[] bytes, UploadMetadata metadata, int chunkSize = 64 * 1024) =>
        await UploadAsync(Chunks(bytes, chunkSize), metadata);

    public async Task<Job> UploadAsync(IEnumerable<ReadOnlyMemory<byte>> chunks, UploadMetadata metadata)
    {
        using var call = Datasets.UploadDataset(Options);
        await call.RequestStream.WriteAsync(new UploadDatasetRequest { Metadata = metadata });
        foreach (var chunk in chunks)
        {
            await call.RequestStream.WriteAsync(new UploadDatasetRequest { Chunk = ByteString.CopyFrom(chunk.Span) });
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    /// <summary>Watches the job to its end (WatchJob), returning every event.</summary>
    public async Task<IReadOnlyList<JobEvent>> WatchAsync(string jobId, TimeSpan? timeout = null, GrpcChannel? via = null)
    {
        var jobs = via is null ? Jobs : new JobService.JobServiceClient(via);
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        using var call = jobs.WatchJob(new WatchJobRequest { JobId = jobId }, Options.WithCancellationToken(deadline.Token));
        var events = new List<JobEvent>();
        while (await call.ResponseStream.MoveNext(deadline.Token))
        {
            events.Add(call.ResponseStream.Current);
            if (call.ResponseStream.Current.Final)
            {
                break;
            }
        }
        return events;
    }

    /// <summary>Uploads and waits; returns the final job (with bad rows).</summary>
    public async Task<Job> UploadAndWaitAsync(string text, UploadMetadata metadata, Encoding? encoding = null)
    {
        var job = await UploadAsync(text, metadata, encoding);
        return await WaitAsync(job.Id);
    }

    public async Task<Job> UploadAndWaitAsync(byte[] bytes, UploadMetadata metadata)
    {
        var job = await UploadAsync(bytes, metadata);
        return await WaitAsync(job.Id);
    }

    public async Task<Job> WaitAsync(string jobId, TimeSpan? timeout = null)
    {
        var events = await WatchAsync(jobId, timeout);
        Assert.True(events[^1].Final, "WatchJob ended without a final event.");
        return await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, Options);
    }

    /// <summary>Uploads a file that must publish; returns the dataset.</summary>
    public async Task<Dataset> PublishAsync(string text, string name, Action<UploadMetadata>? configure = null, Encoding? encoding = null)
    {
        var metadata = new UploadMetadata { Name = name, FileName = name + ".csv" };
        configure?.Invoke(metadata);
        var job = await UploadAndWaitAsync(text, metadata, encoding);
        Assert.True(job.State == JobState.Succeeded, $"The upload ended {job.State}: {job.Error}");
        return await Datasets.GetDatasetAsync(new GetDatasetRequest { DatasetId = job.DatasetId }, Options);
    }

    public async Task<PreviewDatasetResponse> PreviewAsync(string datasetId, int limit = 100) =>
        await Datasets.PreviewDatasetAsync(new PreviewDatasetRequest { DatasetId = datasetId, Limit = limit }, Options);

    public async Task<DatasetProfile> ProfileAsync(string datasetId) =>
        await Datasets.GetProfileAsync(new GetDatasetProfileRequest { DatasetId = datasetId }, Options);

    public static IEnumerable<ReadOnlyMemory<byte>> Chunks(byte[] bytes, int size)
    {
        for (var i = 0; i < bytes.Length; i += size)
        {
            yield return bytes.AsMemory(i, Math.Min(size, bytes.Length - i));
        }
    }
}

internal static class CellText
{
    public static string Of(Cell cell) => cell.ValueCase switch
    {
        Cell.ValueOneofCase.Null => "NULL",
        Cell.ValueOneofCase.BoolValue => cell.BoolValue ? "true" : "false",
        Cell.ValueOneofCase.IntValue => cell.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Cell.ValueOneofCase.DoubleValue => cell.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Cell.ValueOneofCase.DecimalValue => cell.DecimalValue,
        Cell.ValueOneofCase.TextValue => cell.TextValue,
        Cell.ValueOneofCase.DateValue => cell.DateValue,
        Cell.ValueOneofCase.TimestampValue => cell.TimestampValue,
        Cell.ValueOneofCase.TimestamptzValue => cell.TimestamptzValue.ToDateTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        _ => "?",
    };
}
