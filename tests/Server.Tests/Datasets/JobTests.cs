using System.Diagnostics;
using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.Server.Features.Datasets;
using AstralytiQ.Server.Tests.Identity;
using AstralytiQ.Server.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AstralytiQ.Server.Tests.Datasets;

/// <summary>Jobs across instances: progress on any instance, cancel, a server killed mid-load, the sweeper.</summary>
public sealed class JobTests : IAsyncLifetime
{
    private readonly IdentityFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    private static string Csv(int rows)
    {
        var text = new StringBuilder("id,name,amount,day\n");
        for (var i = 1; i <= rows; i++)
        {
            text.Append(i).Append(",name ").Append(i % 977).Append(',').Append(i % 1000).Append('.').Append(i % 100).Append(",2024-01-").Append(1 + i % 28).Append('\n');
        }
        return text.ToString();
    }

    [Fact]
    public async Task WatchJob_on_another_instance_streams_phases_to_the_final_state()
    {
        var session = await _fixture.SignUpAsync();
        await using var other = await _fixture.StartServerAsync(new Dictionary<string, string?> { ["Jobs:RunWorkers"] = "false" });
        var client = new DatasetsClient(_fixture.Server.Channel, session);

        var job = await client.UploadAsync(Csv(50_000), new UploadMetadata { Name = "watched" });
        var events = await client.WatchAsync(job.Id, TimeSpan.FromSeconds(90), via: other.Channel);

        Assert.True(events[^1].Final);
        Assert.Equal(JobState.Succeeded, events[^1].Job.State);
        Assert.Equal(100, events[^1].Job.Percent);
        Assert.Equal(50_000, events[^1].Job.RowsProcessed);
        var phases = events.Select(e => e.Job.Phase).Distinct().ToList();
        Assert.Contains("loading", phases);
        Assert.Equal("done", phases[^1]);
        Assert.All(events.Take(events.Count - 1), e => Assert.False(e.Final));
    }

    [Fact]
    public async Task Cancelled_upload_leaves_no_dataset_table_or_spool_file()
    {
        var session = await _fixture.SignUpAsync();
        var client = new DatasetsClient(_fixture.Server.Channel, session);
        var job = await client.UploadAsync(Csv(300_000), new UploadMetadata { Name = "cancelled" });

        using (var watch = client.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id }, client.Options))
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None) && watch.ResponseStream.Current.Job.State is JobState.Queued)
            {
            }
        }
        var cancel = await client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.Id }, client.Options);
        var final = await client.WaitAsync(job.Id);

        Assert.True(cancel.CancelRequested);
        Assert.Equal(JobState.Cancelled, final.State);
        Assert.Empty((await client.Datasets.ListDatasetsAsync(new ListDatasetsRequest(), client.Options)).Datasets);
        Assert.Equal(0, await StagingTablesAsync(_fixture.Database.AdminConnectionString));
        await _fixture.Server.Services.GetRequiredService<StagingSweeper>().SweepAsync(CancellationToken.None);
        Assert.False(File.Exists(_fixture.Server.Services.GetRequiredService<SpoolStore>().PathOf(Guid.Parse(job.Id))));
        var again = await Assert.ThrowsAsync<RpcException>(() => client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = job.Id }, client.Options).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Theory]
    [InlineData(3, JobState.Succeeded)]
    [InlineData(1, JobState.Dead)]
    public async Task Server_killed_mid_load_is_retried_elsewhere_or_dead_and_never_shows_a_partial_dataset(int maxAttempts, JobState expected)
    {
        const int rows = 400_000;
        var spool = Directory.CreateTempSubdirectory("astq-spool-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Jobs:LeaseDuration"] = "00:00:02",
            ["Jobs:PollInterval"] = "00:00:00.200",
            ["Jobs:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Jobs:RetryDelay"] = "00:00:00",
            ["Datasets:SpoolDirectory"] = spool,
            ["Datasets:SweepInterval"] = "00:00:00.500",
        };
        // The main test server must not pick the job up: only the doomed process runs workers at first.
        await _fixture.Server.DisposeAsync();
        using var doomed = await ServerProcess.StartAsync(_fixture.Database.ConnectionString, settings);
        using var channel = GrpcChannel.ForAddress(doomed.GrpcAddress);
        var session = await SignUpAsync(channel);
        var client = new DatasetsClient(channel, session);

        var job = await client.UploadAsync(Csv(rows), new UploadMetadata { Name = "survivor" });
        using (var watch = client.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id }, client.Options))
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
                if (watch.ResponseStream.Current.Job is { Phase: "loading", RowsProcessed: > 0 })
                {
                    break;
                }
            }
        }
        doomed.Kill();

        settings["Jobs:RunWorkers"] = "true";
        await using var rescuer = await ServerHost.StartAsync(_fixture.Database.ConnectionString, new Dictionary<string, string?>(_fixture.Settings.Concat(settings)));
        var rescue = new DatasetsClient(rescuer.Channel, session);
        var sawPartial = false;
        Job final;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var list = await rescue.Datasets.ListDatasetsAsync(new ListDatasetsRequest(), rescue.Options);
            sawPartial |= list.Datasets.Any(d => d.CurrentVersion.RowCount != rows);
            final = await rescue.Jobs.GetJobAsync(new GetJobRequest { JobId = job.Id }, rescue.Options);
            if (final.State is not (JobState.Queued or JobState.Running) || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(200);
        }

        Assert.Equal(expected, final.State);
        Assert.False(sawPartial);
        var datasets = (await rescue.Datasets.ListDatasetsAsync(new ListDatasetsRequest(), rescue.Options)).Datasets;
        if (expected == JobState.Succeeded)
        {
            Assert.Equal(2, final.Attempts);
            Assert.Equal(rows, Assert.Single(datasets).CurrentVersion.RowCount);
        }
        else
        {
            Assert.Empty(datasets);
            Assert.Contains("stopped responding", final.Error, StringComparison.Ordinal);
        }
        // The killed attempt's staging table (and a dead job's spool file) are swept.
        await rescuer.Services.GetRequiredService<StagingSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal(0, await StagingTablesAsync(_fixture.Database.AdminConnectionString));
        Assert.Empty(Directory.GetFiles(spool));
        _fixture.GetType().GetProperty(nameof(IdentityFixture.Server))!.SetValue(_fixture, await _fixture.StartServerAsync());
    }

    [Fact]
    public async Task Sweeper_drops_staging_tables_of_ended_or_unknown_jobs_and_keeps_running_ones()
    {
        var session = await _fixture.SignUpAsync();
        await using var admin = new NpgsqlConnection(_fixture.Database.ConnectionString);
        await admin.OpenAsync();
        var orphan = DatasetStore.StagingTable(Guid.NewGuid(), 1);
        await using (var create = new NpgsqlCommand($"CREATE TABLE staging.\"{orphan}\" (x int)", admin))
        {
            await create.ExecuteNonQueryAsync();
        }

        var (tables, _) = await _fixture.Server.Services.GetRequiredService<StagingSweeper>().SweepAsync(CancellationToken.None);

        Assert.True(tables >= 1);
        Assert.Equal(0, await StagingTablesAsync(_fixture.Database.AdminConnectionString));
        Assert.NotNull(session);
    }

    internal static async Task<long> StagingTablesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task<TestSession> SignUpAsync(GrpcChannel channel)
    {
        var identity = new IdentityService.IdentityServiceClient(channel);
        var email = $"admin-{Guid.NewGuid():N}@example.com";
        var response = await identity.SignUpAsync(new SignUpRequest { TenantName = "Killed", Email = email, Password = TestSession.Password, DisplayName = "Admin" });
        return new TestSession(_fixture, response.Tokens, email, response.Tenant);
    }
}

/// <summary>The real server as a separate process, so a test can kill it without a chance to clean up.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri grpcAddress)
    {
        _process = process;
        GrpcAddress = grpcAddress;
    }

    public Uri GrpcAddress { get; }

    public static async Task<ServerProcess> StartAsync(string connectionString, IDictionary<string, string?> settings)
    {
        var grpcPort = TestEnvironment.FreePort();
        var httpPort = TestEnvironment.FreePort();
        var dll = typeof(ServerApp).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASTQ__Server__GrpcUrl"] = $"http://127.0.0.1:{grpcPort}";
        start.Environment["ASTQ__Server__HttpUrl"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["ASTQ__Postgres__ConnectionString"] = connectionString;
        start.Environment["ASTQ__Redis__Endpoint"] = TestEnvironment.RedisEndpoint;
        start.Environment["ASTQ__Auth__SigningKey"] = ServerHost.SigningKey;
        start.Environment["ASTQ__Logging__MinimumLevel"] = "Warning";
        start.Environment["ASTQ__RateLimits__LoginAttemptsPerAddress"] = "1000000";
        foreach (var (key, value) in settings)
        {
            start.Environment["ASTQ__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var i = 0; i < 240; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server process exited with {process.ExitCode}.");
            }
            try
            {
                if ((await http.GetAsync(new Uri($"http://127.0.0.1:{httpPort}/health/ready"))).IsSuccessStatusCode)
                {
                    return new ServerProcess(process, new Uri($"http://127.0.0.1:{grpcPort}"));
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("The server process did not become ready in 60 s.");
    }

    /// <summary>SIGKILL: no shutdown hooks, no chance to release the job.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }
}
