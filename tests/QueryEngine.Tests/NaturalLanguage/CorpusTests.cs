using System.Diagnostics;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Tests.Spider;
using Xunit.Abstractions;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>
/// Every tree the translator produces over two whole question corpora passes SafeSql.Prepare: the
/// project's dev set over the sample datasets, and all 1,034 Spider dev questions over their
/// databases' catalogs (with type-only profiles, so linking works from names alone). Accuracy is
/// measured by loadtests/NlEval against PostgreSQL; this test is about safety and totality.
/// </summary>
public sealed class CorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_dev_set_translation_passes_SafeSql_Prepare()
    {
        var datasets = SampleDatasets.Every.ToDictionary(d => d.Table.Name, StringComparer.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(SampleDatasets.Directory(), "nl-dev.tsv")).Skip(1).Where(l => l.Length > 0).ToList();
        var translator = new OfflineTranslator();
        var translated = 0;
        foreach (var line in lines)
        {
            var f = line.Split('\t');
            var dataset = datasets[f[1]];
            var t = translator.Translate(new NlRequest(f[2], dataset));
            if (!t.Succeeded)
            {
                continue;
            }

            translated++;
            var prepared = SafeSql.Prepare(t.Query!, new TableCatalog([dataset.Table]), QueryPolicy.Default);
            Assert.True(prepared.Succeeded, $"{f[0]} \"{f[2]}\": {string.Join("; ", prepared.Errors)}");
        }

        output.WriteLine($"{translated}/{lines.Count} dev questions translated; all pass SafeSql.Prepare");
        Assert.True(translated >= lines.Count * 0.9, $"only {translated} of {lines.Count} dev questions were translated");
    }

    [Fact]
    public void Every_Spider_translation_passes_SafeSql_Prepare_and_reads_one_of_the_offered_tables()
    {
        var dir = SpiderCorpus.FindDirectory();
        var catalogs = SpiderCorpus.Databases(dir).ToDictionary(db => db, db => SpiderCorpus.BuildCatalog(SpiderCorpus.LoadSchema(dir, db), db), StringComparer.Ordinal);
        var schemas = catalogs.ToDictionary(kv => kv.Key, kv => kv.Value.Tables.Select(DatasetSchema.FromTable).ToArray(), StringComparer.Ordinal);
        var translator = new OfflineTranslator();
        int translated = 0, refused = 0;
        var sw = Stopwatch.StartNew();
        foreach (var q in SpiderCorpus.LoadQueries(dir))
        {
            var t = translator.Translate(new NlRequest(q.Question, schemas[q.DbId]));
            if (!t.Succeeded)
            {
                refused++;
                Assert.False(string.IsNullOrWhiteSpace(t.Refusal?.Message));
                continue;
            }

            translated++;
            Assert.Contains(catalogs[q.DbId].Tables, table => table.Name == t.Dataset);
            var prepared = SafeSql.Prepare(t.Query!, catalogs[q.DbId], QueryPolicy.Default);
            Assert.True(prepared.Succeeded, $"dev.tsv line {q.Line} \"{q.Question}\": {string.Join("; ", prepared.Errors)}");
        }

        output.WriteLine($"{translated} translated, {refused} refused in {sw.ElapsedMilliseconds} ms; every translation passes SafeSql.Prepare");
    }
}
