using System.Diagnostics;
using System.Globalization;
using AstralytiQ.QueryEngine;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;
using AstralytiQ.QueryEngine.Tests.Spider;

// Times SafeSql.Prepare (parse + validate + render, physical and display SQL) on every Spider dev
// gold query: warm-up passes first, then each query runs many times and every call is timed.
var iterations = 200;
var warmup = 5;
string? dir = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--iterations":
            iterations = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--warmup":
            warmup = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--spider":
            dir = args[++i];
            break;
        default:
            Console.Error.WriteLine("usage: QueryEngine.Bench [--iterations N] [--warmup N] [--spider DIR]");
            return 2;
    }
}

dir ??= SpiderCorpus.FindDirectory();
var policy = QueryPolicy.Default with { MaxResultRows = 1_000_000 };
var catalogs = SpiderCorpus.Databases(dir).ToDictionary(db => db, db => SpiderCorpus.BuildCatalog(SpiderCorpus.LoadSchema(dir, db), db));
var queries = SpiderCorpus.LoadQueries(dir).Select(q => (Sql: SpiderCorpus.ApplyDialectFixes(q.GoldSql), Catalog: catalogs[q.DbId])).ToArray();
Console.WriteLine($"Spider dev corpus: {queries.Length} queries from {dir}");
Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, {(Debugger.IsAttached ? "debugger attached" : "no debugger")}, optimized build: {IsOptimized()}");

var failures = queries.Count(q => !SafeSql.Prepare(q.Sql, q.Catalog, policy).Succeeded);
if (failures > 0)
{
    Console.WriteLine($"warning: {failures} queries are refused; their (shorter) refusal path is timed too");
}

for (var w = 0; w < warmup; w++)
{
    foreach (var (sql, catalog) in queries)
    {
        SafeSql.Prepare(sql, catalog, policy);
    }
}

var all = new double[queries.Length * iterations];
var perQueryMedian = new double[queries.Length];
var parse = new List<double>(queries.Length * iterations);
var validate = new List<double>(queries.Length * iterations);
var render = new List<double>(queries.Length * iterations);
var samples = new double[iterations];
var totalTimer = Stopwatch.StartNew();
for (var qi = 0; qi < queries.Length; qi++)
{
    var (sql, catalog) = queries[qi];
    for (var it = 0; it < iterations; it++)
    {
        var start = Stopwatch.GetTimestamp();
        SafeSql.Prepare(sql, catalog, policy);
        samples[it] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    Array.Copy(samples, 0, all, qi * iterations, iterations);
    Array.Sort(samples);
    perQueryMedian[qi] = samples[iterations / 2];

    // Stage split on a tenth of the iterations (the stages are timed separately, so they add a little overhead).
    for (var it = 0; it < Math.Max(1, iterations / 10); it++)
    {
        var t0 = Stopwatch.GetTimestamp();
        Query tree;
        try
        {
            tree = SqlParser.Parse(sql);
        }
        catch (SqlSyntaxException)
        {
            break;
        }

        var t1 = Stopwatch.GetTimestamp();
        var result = QueryValidator.Validate(tree, catalog, policy);
        var t2 = Stopwatch.GetTimestamp();
        if (result.IsValid)
        {
            SqlRenderer.Render(result.Query!, NameMode.Physical);
            SqlRenderer.Render(result.Query!, NameMode.Logical);
        }

        var t3 = Stopwatch.GetTimestamp();
        parse.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds);
        validate.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMicroseconds);
        render.Add(Stopwatch.GetElapsedTime(t2, t3).TotalMicroseconds);
    }
}

totalTimer.Stop();
Array.Sort(all);
Array.Sort(perQueryMedian);
Console.WriteLine();
Console.WriteLine($"SafeSql.Prepare (parse + validate + render executable and display SQL), {iterations} timed runs per query after {warmup} warm-up passes:");
Console.WriteLine($"  all {all.Length} calls:        median {Pct(all, 50):F1} us   p90 {Pct(all, 90):F1} us   p99 {Pct(all, 99):F1} us   max {all[^1]:F1} us");
Console.WriteLine($"  per-query medians ({queries.Length}): median {Pct(perQueryMedian, 50):F1} us   p99 {Pct(perQueryMedian, 99):F1} us   max {perQueryMedian[^1]:F1} us");
Console.WriteLine($"  stages (median / p99):     parse {Pct(Sorted(parse), 50):F1} / {Pct(Sorted(parse), 99):F1} us   validate {Pct(Sorted(validate), 50):F1} / {Pct(Sorted(validate), 99):F1} us   render x2 {Pct(Sorted(render), 50):F1} / {Pct(Sorted(render), 99):F1} us");
Console.WriteLine($"  throughput on one thread: {all.Length / totalTimer.Elapsed.TotalSeconds:F0} queries/s (wall {totalTimer.Elapsed.TotalSeconds:F1} s including stage split)");
return 0;

static double Pct(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)];

static double[] Sorted(List<double> values)
{
    var a = values.ToArray();
    Array.Sort(a);
    return a;
}

static bool IsOptimized() =>
    typeof(SafeSql).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().All(d => !d.IsJITOptimizerDisabled);
