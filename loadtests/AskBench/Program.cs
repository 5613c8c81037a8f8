// Ask benchmark (issue 7): end-to-end latency of questions in plain English over a 1,000,000-row
// dataset through the gRPC API (AskService.Ask), answered by the offline translator, against a
// server running as its own process (Release) with its own PostgreSQL and Redis.
//
// Uncached: every call sets skip_cache, so the SQL core's result cache is bypassed and each answer
// is translated, validated and run in PostgreSQL (the query login's READ ONLY transaction, the scan
// and the aggregate), then explained and charted. Cached: the same questions without skip_cache,
// after one call each that stores the result; every answer must come back cached. Both still do
// everything else a real call does: JWT, rate limit, quota, catalog, translation, conversation
// turn, query history and audit rows.
//
// The first call of each question is reported on its own: the very first also reads the dataset's
// value lists for linking (once per dataset version) and creates the tenant's query login.
// PostgreSQL's buffers are warm, as for a dataset in use. Calls are made one at a time (closed
// loop): this measures latency, not throughput.
extern alias server;

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AstralytiQ.Api.V1;
using AstralytiQ.LoadTests;
using Grpc.Core;
using Npgsql;
using server::AstralytiQ.Server.Features.Datasets;
using server::AstralytiQ.Server.Features.Datasets.Profiling;
using server::AstralytiQ.Server.Features.Datasets.Typing;

var rows = BenchArguments.Int(args, "--rows", 1_000_000);
var uncachedRounds = BenchArguments.Int(args, "--uncached", 10);
var cachedRounds = BenchArguments.Int(args, "--cached", 30);
string[] questions =
[
    "total revenue by region",
    "average price per category in 2024",
    "top 5 products by revenue",
    "how many orders in March 2025",
    "which region has the highest revenue",
    "monthly revenue in 2024",
    "number of orders in the West by category",
    "average quantity of Electronics orders",
    "how many distinct customers bought Furniture in 2023",
    "total revenue of active orders with quantity more than 5",
];

await using var host = await BenchHost.StartAsync("askbench");
var tenant = await host.SignUpAsync();
var ask = new AskService.AskServiceClient(host.Channel);

var load = Stopwatch.StartNew();
var dataset = await SalesDataset.CreateAsync(host.AppConnection, tenant.Id, rows, ProfileAsync);
Console.WriteLine($"dataset: {rows:N0} rows x {SalesDataset.Columns.Count} columns ({dataset.SizeBytes / (1024.0 * 1024):0} MB) loaded, analysed and profiled in {load.Elapsed.TotalSeconds:0.0} s");
// What an analyst would set up: the words this shop uses for its amount column.
await ask.SetSynonymsAsync(new SetSynonymsRequest
{
    DatasetId = dataset.DatasetId.ToString(),
    Synonyms = { new Synonym { Phrase = "revenue", Column = "amount" }, new Synonym { Phrase = "sales", Column = "amount" } },
}, tenant.Headers);

Console.WriteLine();
Console.WriteLine("first call of each question (skip_cache):");
var first = new List<Sample>();
foreach (var question in questions)
{
    var sample = await AskAsync(ask, tenant.Headers, question, skipCache: true);
    first.Add(sample);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {sample.Wall,7:0.0} ms  {sample.Response.RowCount,3} rows  {question}\n                          -> {OneLine(sample.Response.Sql)}"));
}

var uncached = new List<Sample>();
for (var round = 0; round < uncachedRounds; round++)
{
    foreach (var question in questions)
    {
        var sample = await AskAsync(ask, tenant.Headers, question, skipCache: true);
        if (sample.Response.Cached)
        {
            throw new InvalidOperationException($"skip_cache returned a cached answer for \"{question}\"");
        }
        uncached.Add(sample);
    }
}

foreach (var question in questions)
{
    await AskAsync(ask, tenant.Headers, question, skipCache: false); // stores (or finds) the entry
}
var cached = new List<Sample>();
for (var round = 0; round < cachedRounds; round++)
{
    foreach (var question in questions)
    {
        var sample = await AskAsync(ask, tenant.Headers, question, skipCache: false);
        if (!sample.Response.Cached)
        {
            throw new InvalidOperationException($"expected a cached answer for \"{question}\"");
        }
        cached.Add(sample);
    }
}

Console.WriteLine();
Console.WriteLine($"Ask, offline translator, {rows:N0}-row dataset, {questions.Length} questions, one call at a time ({Environment.ProcessorCount} cores)");
Console.WriteLine();
Console.WriteLine("end to end (client wall clock)");
Console.WriteLine($"  uncached (skip_cache)  {Latency.Summary(Wall(uncached))}");
Console.WriteLine($"  cached                 {Latency.Summary(Wall(cached))}");
Console.WriteLine();
Console.WriteLine("server-side timings (AskResponse.timings), medians");
Console.WriteLine($"  {"",-22} {"translation",11} {"execution",11} {"server total",13}");
Console.WriteLine(ServerLine("uncached", uncached));
Console.WriteLine(ServerLine("cached", cached));
Console.WriteLine();
Console.WriteLine($"  {"per question, end to end p50",-56} {"uncached",9} {"cached",9} {"rows",6}");
foreach (var question in questions)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {question,-56} {Latency.Median(Wall(uncached, question)),6:0.0} ms {Latency.Median(Wall(cached, question)),6:0.0} ms {first.Single(s => s.Question == question).Response.RowCount,6}"));
}

static async Task<Sample> AskAsync(AskService.AskServiceClient ask, Metadata headers, string question, bool skipCache)
{
    var clock = Stopwatch.StartNew();
    var response = await ask.AskAsync(new AskRequest { Question = question, Translator = TranslatorPreference.Offline, SkipCache = skipCache }, headers);
    var wall = clock.Elapsed.TotalMilliseconds;
    if (response.Refusal is not null)
    {
        throw new InvalidOperationException($"\"{question}\" was refused: {response.Refusal.Message} (unplaced: {string.Join(", ", response.Refusal.UnplacedWords)})");
    }
    return new Sample(question, wall, response);
}

// The profile publication stores, computed by the server's own profiler over the written table
// (as for a transformation's result): distinct counts, ranges and the values of the
// low-cardinality text columns that questions link to.
static async Task<string> ProfileAsync(NpgsqlConnection connection, string table)
{
    var columns = SalesDataset.Columns.Select(c => new PublishColumn(c.Name, c.Name, SqlTypes.Parse(c.Type))).ToArray();
    var profile = await TableProfiler.ProfileAsync(connection, table, columns, new DatasetOptions().ProfileExactLimit, CancellationToken.None);
    return JsonSerializer.Serialize(profile, ProfileDocument.Json);
}

static List<double> Wall(IEnumerable<Sample> samples, string? question = null) =>
    samples.Where(s => question is null || s.Question == question).Select(s => s.Wall).ToList();

static string ServerLine(string name, IReadOnlyList<Sample> samples) => string.Create(CultureInfo.InvariantCulture,
    $"  {name,-22} {Latency.Median(samples.Select(s => Ms(s.Response.Timings.Translation))),8:0.00} ms {Latency.Median(samples.Select(s => Ms(s.Response.Timings.Execution))),8:0.00} ms {Latency.Median(samples.Select(s => Ms(s.Response.Timings.Total))),10:0.00} ms");

static double Ms(Google.Protobuf.WellKnownTypes.Duration duration) => duration.ToTimeSpan().TotalMilliseconds;

static string OneLine(string sql) => string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

internal sealed record Sample(string Question, double Wall, AskResponse Response);
