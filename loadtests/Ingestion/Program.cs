// Ingestion benchmark (issue 5): a generated N-row, 10-column CSV of mixed types uploaded through
// the gRPC API (client streaming, 1 MiB chunks) until the dataset is published with its profile,
// compared in the same run with `psql \copy` of the same file into a pre-created table of the
// right types. The server runs as its own process so its peak memory (VmHWM) is its alone.
// Rounds alternate the two so neither always runs on a warmer machine.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AstralytiQ.Api.V1;
using AstralytiQ.LoadTests;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;

var rows = BenchArguments.Int(args, "--rows", 1_000_000);
var rounds = BenchArguments.Int(args, "--rounds", 2);
var psql = Environment.GetEnvironmentVariable("BENCH_PSQL") ?? "psql";
var work = Directory.CreateTempSubdirectory("astq-ingest-bench-").FullName;
var csvPath = Path.Combine(work, "bench.csv");

Console.WriteLine($"Generating {rows:N0} rows x 10 columns...");
var size = Generate(csvPath, rows);
Console.WriteLine($"  {csvPath}: {size / 1048576.0:0.0} MiB");

try
{
    var settings = new Dictionary<string, string>
    {
        ["Datasets__SpoolDirectory"] = Path.Combine(work, "spool"),
        ["Plans__Free__RowsIngested"] = "0",
        ["Plans__Free__StorageBytes"] = "0",
    };
    // With BENCH_SERVER_LOG=Information, the server's own account of each job (phases and timings).
    await using var host = await BenchHost.StartAsync("ingest", settings, line =>
    {
        if (line.Contains("Published", StringComparison.Ordinal) || line.Contains("reading the file twice", StringComparison.Ordinal))
        {
            Console.WriteLine("  server: " + line[..Math.Min(line.Length, 400)]);
        }
    });
    var tenant = await host.SignUpAsync();
    var datasets = new DatasetService.DatasetServiceClient(host.Channel);
    var jobs = new JobService.JobServiceClient(host.Channel);
    Console.WriteLine($"Server pid {host.ServerProcessId}, peak RSS after start {host.PeakRssBytes / 1048576.0:0} MiB");

    var copyTimes = new List<double>();
    var apiTimes = new List<double>();
    for (var round = 1; round <= rounds; round++)
    {
        var copy = await PsqlCopyAsync(psql, host.AppConnection, csvPath, round);
        copyTimes.Add(copy);
        Console.WriteLine($"round {round}: psql \\copy          {copy,7:0.00} s  {rows / copy,10:N0} rows/s");
        var (api, profile) = await UploadAsync(datasets, jobs, tenant.Headers, csvPath, round);
        apiTimes.Add(api);
        Console.WriteLine($"round {round}: gRPC upload→profile {api,7:0.00} s  {rows / api,10:N0} rows/s  (ratio {api / copy:0.00}; profile: {profile.RowCount:N0} rows, {profile.Columns.Count} columns, quality {profile.QualityScore:0.00})");
    }
    var bestCopy = copyTimes.Min();
    var bestApi = apiTimes.Min();
    Console.WriteLine();
    Console.WriteLine($"rows {rows:N0}, file {size / 1048576.0:0.0} MiB, rounds {rounds}");
    Console.WriteLine($"psql \\copy        best {bestCopy:0.00} s ({rows / bestCopy:N0} rows/s), all: {string.Join(", ", copyTimes.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))}");
    Console.WriteLine($"gRPC end to end   best {bestApi:0.00} s ({rows / bestApi:N0} rows/s), all: {string.Join(", ", apiTimes.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))}");
    Console.WriteLine($"ratio (best/best) {bestApi / bestCopy:0.00}   target <= 1.50");
    Console.WriteLine($"server peak RSS (VmHWM) {host.PeakRssBytes / 1048576.0:0} MiB");
}
finally
{
    Directory.Delete(work, recursive: true);
}

static async Task<(double Seconds, DatasetProfile Profile)> UploadAsync(DatasetService.DatasetServiceClient datasets, JobService.JobServiceClient jobs, Metadata headers, string path, int round)
{
    var clock = Stopwatch.StartNew();
    using (var call = datasets.UploadDataset(headers))
    {
        await call.RequestStream.WriteAsync(new UploadDatasetRequest { Metadata = new UploadMetadata { Name = $"bench {round}", FileName = "bench.csv", SizeBytes = new FileInfo(path).Length } });
        await using var file = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await file.ReadAsync(buffer)) > 0)
        {
            await call.RequestStream.WriteAsync(new UploadDatasetRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) });
        }
        await call.RequestStream.CompleteAsync();
        var job = await call.ResponseAsync;
        Console.WriteLine($"  upload accepted after {clock.Elapsed.TotalSeconds:0.00} s (job {job.Id})");
        using var watch = jobs.WatchJob(new WatchJobRequest { JobId = job.Id }, headers);
        JobEvent last = null!;
        var phases = new List<string>();
        while (await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
            last = watch.ResponseStream.Current;
            if (phases.Count == 0 || !phases[^1].StartsWith(last.Job.Phase + " ", StringComparison.Ordinal))
            {
                // Where the time goes: the moment each phase is first seen, from the start of the upload.
                phases.Add($"{last.Job.Phase} {clock.Elapsed.TotalSeconds:0.00}");
            }
            if (last.Final)
            {
                break;
            }
        }
        Console.WriteLine($"  phases (s from start): {string.Join(", ", phases)}");
        if (last.Job.State != JobState.Succeeded)
        {
            throw new InvalidOperationException($"The upload ended {last.Job.State}: {last.Job.Error}");
        }
        var profile = await datasets.GetProfileAsync(new GetDatasetProfileRequest { DatasetId = last.Job.DatasetId }, headers);
        return (clock.Elapsed.TotalSeconds, profile);
    }
}

static async Task<double> PsqlCopyAsync(string psql, string connection, string path, int round)
{
    var b = new NpgsqlConnectionStringBuilder(connection);
    var table = $"copy_bench_{round}";
    await BenchHost.ExecAsync(connection, $"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id integer, customer text, category text, amount numeric, price numeric, quantity integer, active boolean, order_date date, updated_at timestamp, score double precision)");
    var start = new ProcessStartInfo(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", b.Host!, "-p", b.Port.ToString(CultureInfo.InvariantCulture), "-U", b.Username!, "-d", b.Database!, "-c", $"\\copy {table} from '{path}' csv header"]);
    start.Environment["PGPASSWORD"] = b.Password;
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"psql exited with {process.ExitCode}");
    }
    return clock.Elapsed.TotalSeconds;
}

static long Generate(string path, int rows)
{
    var random = new Random(20240601);
    string[] categories = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
    var baseDate = new DateTime(2020, 1, 1);
    using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
    writer.Write("id,customer,category,amount,price,quantity,active,order_date,updated_at,score\n");
    var line = new StringBuilder(128);
    for (var i = 1; i <= rows; i++)
    {
        line.Clear();
        line.Append(i).Append(",customer ").Append(random.Next(1, 50_001)).Append(',')
            .Append(categories[random.Next(categories.Length)]).Append(',')
            .Append((random.NextDouble() * 10_000).ToString("0.00", CultureInfo.InvariantCulture)).Append(',')
            .Append((1 + random.NextDouble() * 499).ToString("0.0000", CultureInfo.InvariantCulture)).Append(',')
            .Append(random.Next(1, 101)).Append(',')
            .Append(random.Next(2) == 0 ? "true" : "false").Append(',')
            .Append(baseDate.AddDays(random.Next(0, 1500)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',')
            .Append(baseDate.AddYears(1).AddSeconds(random.Next(0, 100_000_000)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(',')
            .Append((50 + 15 * Gaussian(random)).ToString("0.000000", CultureInfo.InvariantCulture)).Append('\n');
        writer.Write(line);
    }
    writer.Flush();
    return writer.BaseStream.Length;
}

static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
