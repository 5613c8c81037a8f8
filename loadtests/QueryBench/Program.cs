// RunSql benchmark (issue 6): latency of a grouped aggregate over a 1,000,000-row dataset through
// the gRPC API, against a server running as its own process (Release) with its own PostgreSQL and
// Redis.
//
// Cold: every call sets skip_cache, so the result cache is bypassed and the query really runs in
// PostgreSQL (parse, validate, render, the query login's READ ONLY transaction, the scan and the
// aggregate, typing the rows). The very first call is reported on its own: it also pays for the
// tenant's query login being created and its first connection. PostgreSQL's own buffers are warm,
// as they are for a dataset in use (the table was just written); "cold" is about AstralytiQ's cache.
// Cached: the same query without skip_cache, after one call that stores the result.
//
// Calls are made one at a time (closed loop): this measures latency, not throughput.
using System.Diagnostics;
using AstralytiQ.Api.V1;
using AstralytiQ.LoadTests;
using Grpc.Core;
using Npgsql;

var rows = BenchArguments.Int(args, "--rows", 1_000_000);
var coldRuns = BenchArguments.Int(args, "--cold", 30);
var cachedRuns = BenchArguments.Int(args, "--cached", 300);
const string Sql = """
    SELECT category, count(*) AS orders, sum(amount) AS revenue, avg(price) AS avg_price, max(order_date) AS last_order
    FROM sales
    WHERE active
    GROUP BY category
    ORDER BY revenue DESC
    """;

await using var host = await BenchHost.StartAsync("qbench");
var tenant = await host.SignUpAsync();
var query = new QueryService.QueryServiceClient(host.Channel);

var load = Stopwatch.StartNew();
var dataset = await SalesDataset.CreateAsync(host.AppConnection, tenant.Id, rows);
Console.WriteLine($"dataset: {rows:N0} rows x {SalesDataset.Columns.Count} columns loaded and analysed in {load.Elapsed.TotalSeconds:0.0} s");
Console.WriteLine($"query:   {string.Join(' ', Sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))}");

var first = await TimedAsync(query, tenant.Headers, skipCache: true);
Console.WriteLine($"first run (creates the tenant's query login): {first.Wall:0.0} ms, {first.Response.RowCount} rows, in PostgreSQL {first.Database:0.0} ms");

var cold = new List<Sample>();
for (var i = 0; i < coldRuns; i++)
{
    var sample = await TimedAsync(query, tenant.Headers, skipCache: true);
    if (sample.Response.Cached)
    {
        throw new InvalidOperationException("skip_cache returned a cached result");
    }
    cold.Add(sample);
}

// The peer: the same query sent straight to PostgreSQL with Npgsql on an open connection, every
// row read, no AstralytiQ at all. What RunSql adds on top of this is its whole cost.
var direct = new List<double>();
await using (var connection = new NpgsqlConnection(host.AppConnection))
{
    await connection.OpenAsync();
    var directSql = Sql.Replace("FROM sales", "FROM " + dataset.QualifiedTable, StringComparison.Ordinal);
    for (var i = 0; i < coldRuns + 1; i++)
    {
        var clock = Stopwatch.StartNew();
        await using (var command = new NpgsqlCommand(directSql, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                for (var c = 0; c < reader.FieldCount; c++)
                {
                    reader.GetValue(c);
                }
            }
        }
        if (i > 0)
        {
            direct.Add(clock.Elapsed.TotalMilliseconds);
        }
    }
}

await TimedAsync(query, tenant.Headers, skipCache: false); // stores (or finds) the entry
var cached = new List<Sample>();
for (var i = 0; i < cachedRuns; i++)
{
    var sample = await TimedAsync(query, tenant.Headers, skipCache: false);
    if (!sample.Response.Cached)
    {
        throw new InvalidOperationException("expected a cached result");
    }
    cached.Add(sample);
}

Console.WriteLine();
Console.WriteLine($"RunSql, {rows:N0}-row dataset, {first.Response.RowCount} groups, one call at a time ({Environment.ProcessorCount} cores)");
Console.WriteLine("cold   (skip_cache)  " + Latency.Summary(cold.Select(s => s.Wall).ToList()));
Console.WriteLine("cached (same SQL)    " + Latency.Summary(cached.Select(s => s.Wall).ToList()));
Console.WriteLine("peer: Npgsql direct  " + Latency.Summary(direct));
Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
    $"ratio to direct PostgreSQL (p50): cold {Latency.Median(cold.Select(s => s.Wall)) / Latency.Median(direct):0.00}x, cached {Latency.Median(cached.Select(s => s.Wall)) / Latency.Median(direct):0.000}x"));
Console.WriteLine($"cold median: {Latency.Median(cold.Select(s => s.Database)):0.0} ms in PostgreSQL (execution_time), the rest is auth, quota, catalog, validation, history, audit and transport");

static async Task<Sample> TimedAsync(QueryService.QueryServiceClient query, Metadata headers, bool skipCache)
{
    var clock = Stopwatch.StartNew();
    var response = await query.RunSqlAsync(new RunSqlRequest { Sql = Sql, SkipCache = skipCache }, headers);
    return new Sample(clock.Elapsed.TotalMilliseconds, response.ExecutionTime.ToTimeSpan().TotalMilliseconds, response);
}

internal sealed record Sample(double Wall, double Database, RunSqlResponse Response);
