using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AstralytiQ.NlEval;
using AstralytiQ.QueryEngine;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;
using AstralytiQ.QueryEngine.Tests.Spider;

// Execution accuracy of the offline translator:
//   1. the project's own dev set (samples/nl-dev.tsv) over the shipped sample datasets, follow-ups included;
//   2. the Spider dev questions whose gold SQL reads exactly one table, with every table of the
//      question's database offered (the translator picks the table itself).
// Both gold and predicted SQL run in a throwaway PostgreSQL database (ASTQ_TEST_PG, a superuser);
// a prediction is right when it returns the same rows (see ResultComparer).
string? pg = Environment.GetEnvironmentVariable("ASTQ_TEST_PG");
string? samplesDir = null, spiderDir = null, reportPath = null, only = null, questionsPath = null;
var verbose = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--pg": pg = args[++i]; break;
        case "--samples": samplesDir = args[++i]; break;
        case "--spider": spiderDir = args[++i]; break;
        case "--report": reportPath = args[++i]; break;
        case "--questions": questionsPath = args[++i]; break;
        case "--only": only = args[++i]; break;
        case "--verbose": verbose = true; break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; usage: [--pg CONNSTR] [--samples DIR] [--spider DIR] [--only dev|spider] [--questions FILE.tsv] [--report FILE] [--verbose]");
            return 2;
    }
}

if (string.IsNullOrWhiteSpace(pg))
{
    Console.Error.WriteLine("ASTQ_TEST_PG is not set: give an Npgsql connection string for a PostgreSQL superuser (or --pg).");
    return 2;
}

samplesDir ??= FindUp("samples", "nl-dev.tsv");
spiderDir ??= SpiderCorpus.FindDirectory();
var translator = new OfflineTranslator();
var policy = QueryPolicy.Default with { MaxResultRows = 100_000 };
var results = new List<CaseResult>();
var timings = new List<double>();

await using (var db = await EvalDatabase.CreateAsync(pg))
{
    if (only is null or "dev")
    {
        await RunDevSetAsync(db);
    }

    if (only is null or "spider")
    {
        await RunSpiderAsync(db);
    }
}

Report();
return 0;

async Task RunDevSetAsync(EvalDatabase db)
{
    await db.ExecAsync("CREATE SCHEMA samples");
    using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(samplesDir, "datasets.json")));
    var datasets = new Dictionary<string, DatasetSchema>(StringComparer.Ordinal);
    foreach (var d in manifest.RootElement.GetProperty("datasets").EnumerateArray())
    {
        var name = d.GetProperty("name").GetString()!;
        var columns = d.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!)).ToList();
        await db.LoadCsvAsync("samples", name, columns, Path.Combine(samplesDir, d.GetProperty("file").GetString()!));
        var table = new CatalogTable(name, "samples", name, columns.Select(c => new CatalogColumn(c.Item1, c.Item2)).ToArray());
        var profiled = await db.ProfileAsync(table, "samples");
        datasets[name] = profiled with
        {
            Title = d.GetProperty("title").GetString(),
            RowNouns = d.GetProperty("rowNouns").EnumerateArray().Select(x => x.GetString()!).ToArray(),
            Synonyms = d.GetProperty("synonyms").EnumerateArray().Select(s => new NlSynonym(
                s.GetProperty("phrase").GetString()!, s.GetProperty("column").GetString()!, s.TryGetProperty("value", out var v) ? v.GetString() : null)).ToArray(),
        };
    }

    var lines = await File.ReadAllLinesAsync(questionsPath ?? Path.Combine(samplesDir, "nl-dev.tsv"));
    var previous = new Dictionary<string, (string Question, Query Query)>(StringComparer.Ordinal);
    foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
    {
        var f = line.Split('\t');
        var (id, dataset, question, gold, follows) = (f[0], f[1], f[2], f[3], f.Length > 4 ? f[4] : string.Empty);
        var schema = datasets[dataset];
        var request = new NlRequest(question, schema);
        if (follows.Length > 0 && previous.TryGetValue(follows, out var prev))
        {
            request = request with { PreviousTurn = new NlTurn(prev.Question, prev.Query) };
        }

        var group = follows.Length > 0 ? "follow-ups" : dataset;
        var result = await EvaluateAsync(db, group, id, request, gold, new TableCatalog([schema.Table]), "samples");
        previous[id] = (question, result.Predicted ?? SqlParser.Parse(gold));
        results.Add(result);
    }
}

async Task RunSpiderAsync(EvalDatabase db)
{
    var spider = await db.LoadSpiderAsync(spiderDir);
    foreach (var q in SpiderCorpus.LoadQueries(spiderDir))
    {
        var gold = SpiderCorpus.ApplyDialectFixes(q.GoldSql);
        Query tree;
        try
        {
            tree = SqlParser.Parse(gold);
        }
        catch (SqlSyntaxException)
        {
            continue;
        }

        if (TablesOf(tree).Count != 1)
        {
            continue;
        }

        var (catalog, datasets) = spider[q.DbId];
        var request = new NlRequest(q.Question, datasets);
        results.Add(await EvaluateAsync(db, "spider", $"spider:{q.Line}", request, gold, catalog, q.DbId, q.DbId));
    }
}

async Task<CaseResult> EvaluateAsync(EvalDatabase db, string group, string id, NlRequest request, string gold, TableCatalog catalog, string searchPath, string? sub = null)
{
    // Timed warm, as in a running server: the first call (JIT, the schema's linking index) is not counted.
    // A translator that throws is scored as a failure of that question (a server would answer it with
    // an error), so one bug does not hide the other questions' figures.
    NlTranslation translation;
    var sw = new Stopwatch();
    try
    {
        await translator.TranslateAsync(request);
        sw.Start();
        translation = await translator.TranslateAsync(request);
        sw.Stop();
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        return new CaseResult(group, sub, id, request.Question, gold) { Outcome = Outcome.Fails, Detail = $"the translator threw {e.GetType().Name}: {e.Message}" };
    }

    timings.Add(sw.Elapsed.TotalMilliseconds);
    var goldRun = await db.RunAsync(gold, searchPath);
    var goldOrdered = SqlParser.Parse(gold).OrderBy.Count > 0;
    var result = new CaseResult(group, sub, id, request.Question, gold) { Translation = translation, Milliseconds = sw.Elapsed.TotalMilliseconds };
    if (goldRun.Error is not null)
    {
        return result with { Outcome = Outcome.GoldFails, Detail = goldRun.Error };
    }

    if (!translation.Succeeded)
    {
        return result with { Outcome = Outcome.Refused, Detail = translation.Refusal!.Message };
    }

    var prepared = SafeSql.Prepare(translation.Query!, catalog, policy);
    if (!prepared.Succeeded)
    {
        return result with { Outcome = Outcome.Invalid, Detail = string.Join("; ", prepared.Errors), Predicted = translation.Query };
    }

    var ours = await db.RunAsync(prepared.ExecutableSql!, searchPath);
    result = result with { PredictedSql = prepared.CanonicalSql, Predicted = translation.Query };
    if (ours.Error is not null)
    {
        return result with { Outcome = Outcome.Fails, Detail = ours.Error };
    }

    return ResultComparer.Same(goldRun.Rows, ours.Rows, goldOrdered)
        ? result with { Outcome = Outcome.Correct }
        : result with
        {
            Outcome = Outcome.Wrong,
            ExtraColumnsOnly = ResultComparer.Contains(goldRun.Rows, ours.Rows, goldOrdered),
            Detail = $"gold {EvalDatabase.Describe(goldRun.Rows)}; ours {EvalDatabase.Describe(ours.Rows)}",
        };
}

static HashSet<string> TablesOf(Query q)
{
    var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    void Body(QueryBody b)
    {
        switch (b)
        {
            case SelectCore s:
                foreach (var t in s.From)
                {
                    From(t);
                }

                foreach (var e in new[] { s.Where, s.Having }.Where(e => e is not null))
                {
                    Expr(e!);
                }

                foreach (var item in s.Items.OfType<ExpressionItem>())
                {
                    Expr(item.Expr);
                }

                break;
            case SetOperation so:
                Body(so.Left);
                Body(so.Right);
                break;
            case NestedQuery n:
                Body(n.Query.Body);
                break;
        }
    }

    void From(TableRef t)
    {
        switch (t)
        {
            case NamedTable nt:
                names.Add(nt.Name.Last.Name);
                break;
            case JoinedTable j:
                From(j.Left);
                From(j.Right);
                break;
            case DerivedTable d:
                Body(d.Query.Body);
                break;
        }
    }

    void Expr(AstralytiQ.QueryEngine.Sql.Expr e)
    {
        switch (e)
        {
            case SubqueryExpr s: Body(s.Query.Body); break;
            case InSubqueryExpr i: Body(i.Query.Body); Expr(i.Operand); break;
            case ExistsExpr x: Body(x.Query.Body); break;
            case QuantifiedComparisonExpr qc: Body(qc.Query.Body); break;
            case BinaryExpr b: Expr(b.Left); Expr(b.Right); break;
            case UnaryExpr u: Expr(u.Operand); break;
        }
    }

    Body(q.Body);
    return names;
}

void Report()
{
    var sb = new StringBuilder();
    sb.AppendLine("# Natural-language evaluation (offline translator)").AppendLine();
    sb.AppendLine("| set | questions | correct | accuracy | + extra columns only | lenient accuracy | refused | wrong | other |").AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    void Row(string name, IReadOnlyCollection<CaseResult> set)
    {
        var scored = set.Where(r => r.Outcome != Outcome.GoldFails).ToList();
        var correct = scored.Count(r => r.Outcome == Outcome.Correct);
        var extra = scored.Count(r => r.ExtraColumnsOnly);
        var n = Math.Max(1, scored.Count);
        sb.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {scored.Count} | {correct} | {100.0 * correct / n:F1}% | {extra} | {100.0 * (correct + extra) / n:F1}% | {scored.Count(r => r.Outcome == Outcome.Refused)} | {scored.Count(r => r.Outcome == Outcome.Wrong && !r.ExtraColumnsOnly)} | {scored.Count(r => r.Outcome is Outcome.Invalid or Outcome.Fails)} |");
    }

    var dev = results.Where(r => r.Group != "spider").ToList();
    foreach (var g in dev.GroupBy(r => r.Group))
    {
        Row(g.Key, g.ToList());
    }

    if (dev.Count > 0)
    {
        Row("**dev set overall**", dev);
    }

    var spider = results.Where(r => r.Group == "spider").ToList();
    if (spider.Count > 0)
    {
        Row("**Spider dev, single-table**", spider);
        foreach (var g in spider.GroupBy(r => r.Sub!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            Row("spider/" + g.Key, g.ToList());
        }
    }

    var sorted = timings.Order().ToArray();
    double P(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Offline translation time over {sorted.Length} questions (warm; each question translated once before timing): p50 {P(0.50):F3} ms, p95 {P(0.95):F3} ms, max {sorted.LastOrDefault():F3} ms.");
    foreach (var g in results.GroupBy(r => r.Group == "spider" ? "Spider (all tables of the database offered)" : "sample datasets (one dataset offered)"))
    {
        var t = g.Select(r => r.Milliseconds).Order().ToArray();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- {g.Key}: p50 {t[(t.Length - 1) / 2]:F3} ms, p95 {t[(int)Math.Ceiling(0.95 * t.Length) - 1]:F3} ms; slowest: {string.Join("; ", g.OrderByDescending(r => r.Milliseconds).Take(3).Select(r => $"{r.Id} {r.Milliseconds:F1} ms"))}");
    }

    var goldFails = results.Count(r => r.Outcome == Outcome.GoldFails);
    if (goldFails > 0)
    {
        sb.AppendLine(CultureInfo.InvariantCulture, $"{goldFails} questions whose gold SQL fails on PostgreSQL are not scored.");
    }

    sb.AppendLine().AppendLine("## Misses").AppendLine();
    foreach (var r in results.Where(r => r.Outcome is not (Outcome.Correct or Outcome.GoldFails)))
    {
        sb.AppendLine(CultureInfo.InvariantCulture, $"- **{r.Id}** ({(r.ExtraColumnsOnly ? "ExtraColumns" : r.Outcome.ToString())}) {r.Question}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  - gold: `{r.Gold}`");
        if (r.PredictedSql is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  - ours: `{r.PredictedSql}`");
        }

        if (r.Detail is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  - {r.Detail}");
        }

        if (r.Translation is { Phrases.Count: > 0 } t)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  - read as: {string.Join(" · ", t.Phrases.Select(p => $"'{p.Text}' {p.Meaning}"))}");
        }
    }

    if (verbose)
    {
        sb.AppendLine().AppendLine("## Correct").AppendLine();
        foreach (var r in results.Where(r => r.Outcome == Outcome.Correct))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {r.Id} {r.Question} → `{r.PredictedSql}` ({r.Translation?.Interpretation})");
        }
    }

    var text = sb.ToString();
    if (reportPath is not null)
    {
        File.WriteAllText(reportPath, text);
        Console.WriteLine(text[..text.IndexOf("## Misses", StringComparison.Ordinal)]);
        Console.WriteLine($"Full report with every miss: {reportPath}");
    }
    else
    {
        Console.WriteLine(text);
    }
}

static string FindUp(string folder, string file)
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, folder);
        if (File.Exists(Path.Combine(candidate, file)))
        {
            return candidate;
        }
    }

    var cwd = Path.Combine(Directory.GetCurrentDirectory(), folder);
    return File.Exists(Path.Combine(cwd, file)) ? cwd : throw new DirectoryNotFoundException($"{folder}/{file} not found above {AppContext.BaseDirectory}");
}

internal enum Outcome
{
    Correct,
    Wrong,
    Refused,
    Invalid,
    Fails,
    GoldFails,
}

internal sealed record CaseResult(string Group, string? Sub, string Id, string Question, string Gold)
{
    public Outcome Outcome { get; init; }

    public string? Detail { get; init; }

    public string? PredictedSql { get; init; }

    public Query? Predicted { get; init; }

    /// <summary>Wrong only because the answer shows more columns than the gold query (all gold columns and rows are there).</summary>
    public bool ExtraColumnsOnly { get; init; }

    public NlTranslation? Translation { get; init; }

    public double Milliseconds { get; init; }
}
