using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;
using Xunit.Abstractions;

namespace AstralytiQ.QueryEngine.Tests.Spider;

public sealed class SpiderCorpusTests(ITestOutputHelper output)
{
    /// <summary>A policy roomy enough for Spider (its nesting and joins are modest; rows are few).</summary>
    internal static readonly QueryPolicy SpiderPolicy = QueryPolicy.Default with { MaxResultRows = 1_000_000 };

    [Fact]
    public void Every_Spider_gold_query_parses_validates_renders_and_reparses_to_the_same_text()
    {
        var dir = SpiderCorpus.FindDirectory();
        var queries = SpiderCorpus.LoadQueries(dir);
        Assert.Equal(1034, queries.Count);
        var catalogs = SpiderCorpus.Databases(dir).ToDictionary(db => db, db => SpiderCorpus.BuildCatalog(SpiderCorpus.LoadSchema(dir, db), db));
        int parsed = 0, validated = 0, rendered = 0;
        var failures = new List<(string Stage, string Reason, SpiderQuery Query)>();
        foreach (var q in queries)
        {
            var sql = SpiderCorpus.ApplyDialectFixes(q.GoldSql);
            Query tree;
            try
            {
                tree = SqlParser.Parse(sql);
                parsed++;
            }
            catch (SqlSyntaxException ex)
            {
                failures.Add(("parse", ex.Reason, q));
                continue;
            }

            var result = QueryValidator.Validate(tree, catalogs[q.DbId], SpiderPolicy);
            if (!result.IsValid)
            {
                failures.Add(("validate", string.Join("; ", result.Violations.Select(v => $"{v.Code}: {v.Message}")), q));
                continue;
            }

            validated++;
            var problems = new List<string>();
            foreach (var mode in new[] { NameMode.Logical, NameMode.Physical })
            {
                var text = SqlRenderer.Render(result.Query!, mode);
                var again = SqlRenderer.Render(SqlParser.Parse(text), mode);
                if (again != text)
                {
                    problems.Add($"{mode} rendering is not a fixed point:\n  {text}\n  {again}");
                }
            }

            // The display SQL must validate again to the same executable SQL.
            var display = SqlRenderer.Render(result.Query!, NameMode.Logical);
            var second = QueryValidator.Validate(SqlParser.Parse(display), catalogs[q.DbId], SpiderPolicy);
            if (!second.IsValid || SqlRenderer.Render(second.Query!, NameMode.Physical) != SqlRenderer.Render(result.Query!, NameMode.Physical))
            {
                problems.Add("display SQL does not validate back to the same executable SQL");
            }

            if (problems.Count > 0)
            {
                failures.Add(("render", string.Join("; ", problems), q));
                continue;
            }

            rendered++;
        }

        output.WriteLine($"Spider dev: {queries.Count} gold queries; parsed {parsed}, validated {validated}, rendered (fixed point) {rendered}");
        output.WriteLine($"rates: parse {Rate(parsed, queries.Count)}, validate {Rate(validated, queries.Count)}, render {Rate(rendered, queries.Count)}");
        foreach (var group in failures.GroupBy(f => f.Stage + ": " + f.Reason))
        {
            output.WriteLine($"[{group.Count()}] {group.Key}");
            foreach (var f in group.Take(3))
            {
                output.WriteLine($"    dev.tsv line {f.Query.Line} ({f.Query.DbId}): {f.Query.GoldSql}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} Spider queries failed; first: {failures.FirstOrDefault().Stage} {failures.FirstOrDefault().Reason} in {failures.FirstOrDefault().Query?.GoldSql}");
    }

    internal static string Rate(int n, int total) => $"{n}/{total} ({100.0 * n / total:F1}%)";

    [Fact]
    public void Dialect_fixes_touch_only_double_quoted_strings_condition_free_joins_and_unaliased_subqueries()
    {
        Assert.Equal("SELECT a FROM t WHERE b = 'USA'", SpiderCorpus.ApplyDialectFixes("SELECT a FROM t WHERE b = \"USA\""));
        Assert.Equal("SELECT a FROM t WHERE b = 'it''s \"x\"'", SpiderCorpus.ApplyDialectFixes("SELECT a FROM t WHERE b = 'it''s \"x\"'"));
        Assert.Equal("SELECT * FROM a AS T1 JOIN b AS T2 ON TRUE WHERE x = 1", SpiderCorpus.ApplyDialectFixes("SELECT * FROM a AS T1 JOIN b AS T2 WHERE x = 1"));
        Assert.Equal("SELECT * FROM a JOIN b ON TRUE", SpiderCorpus.ApplyDialectFixes("SELECT * FROM a JOIN b"));
        Assert.Equal("SELECT * FROM a AS T1 JOIN b AS T2 ON T1.x = T2.x", SpiderCorpus.ApplyDialectFixes("SELECT * FROM a AS T1 JOIN b AS T2 ON T1.x = T2.x"));
        Assert.Equal("SELECT * FROM a JOIN b USING (x)", SpiderCorpus.ApplyDialectFixes("SELECT * FROM a JOIN b USING (x)"));
        Assert.Equal("SELECT count(*) FROM (SELECT a FROM t) AS derived", SpiderCorpus.ApplyDialectFixes("SELECT count(*) FROM (SELECT a FROM t)"));
        Assert.Equal("SELECT count(*) FROM (SELECT a FROM t) AS x WHERE b IN (SELECT c FROM u)", SpiderCorpus.ApplyDialectFixes("SELECT count(*) FROM (SELECT a FROM t) AS x WHERE b IN (SELECT c FROM u)"));
    }
}
