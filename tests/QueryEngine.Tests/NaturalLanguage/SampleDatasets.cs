using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AstralytiQ.QueryEngine.NaturalLanguage;
using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Tests.NaturalLanguage;

/// <summary>
/// The shipped sample datasets (samples/ at the repository root) as the translator sees them: the
/// manifest's types, row nouns and synonyms, and a profile computed here from the CSVs the way
/// dataset ingestion profiles a table (text columns with at most 250 distinct values keep them).
/// </summary>
internal static partial class SampleDatasets
{
    private static readonly Lazy<IReadOnlyDictionary<string, DatasetSchema>> All = new(Load);

    public static DatasetSchema Retail => All.Value["retail_sales"];

    public static DatasetSchema Diamonds => All.Value["diamonds"];

    public static DatasetSchema Flights => All.Value["flights"];

    public static IReadOnlyCollection<DatasetSchema> Every => All.Value.Values.ToArray();

    /// <summary>
    /// The samples folder: above the test binaries, or above this source file (builds with an
    /// isolated artifacts path put the binaries outside the repository).
    /// </summary>
    public static string Directory([System.Runtime.CompilerServices.CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? string.Empty, System.IO.Directory.GetCurrentDirectory() })
        {
            for (var dir = start.Length > 0 ? new DirectoryInfo(start) : null; dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples");
                if (File.Exists(Path.Combine(candidate, "datasets.json")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("samples/datasets.json not found above " + AppContext.BaseDirectory + " or " + sourceFile);
    }

    private static Dictionary<string, DatasetSchema> Load()
    {
        var dir = Directory();
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "datasets.json")));
        var result = new Dictionary<string, DatasetSchema>(StringComparer.Ordinal);
        foreach (var d in manifest.RootElement.GetProperty("datasets").EnumerateArray())
        {
            var name = d.GetProperty("name").GetString()!;
            var columns = d.GetProperty("columns").EnumerateArray().Select(c => new CatalogColumn(c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!)).ToArray();
            var table = new CatalogTable(name, "samples", name, columns);
            var lines = File.ReadAllLines(Path.Combine(dir, d.GetProperty("file").GetString()!));
            var rows = lines.Skip(1).Where(l => l.Length > 0).Select(SplitCsv).ToList();
            var profiles = columns.Select((c, i) => Profile(c, rows.Select(r => r[i]).ToList())).ToArray();
            result[name] = new DatasetSchema(table, profiles)
            {
                Title = d.GetProperty("title").GetString(),
                RowCount = rows.Count,
                RowNouns = d.GetProperty("rowNouns").EnumerateArray().Select(x => x.GetString()!).ToArray(),
                Synonyms = d.GetProperty("synonyms").EnumerateArray().Select(s => new NlSynonym(
                    s.GetProperty("phrase").GetString()!, s.GetProperty("column").GetString()!, s.TryGetProperty("value", out var v) ? v.GetString() : null)).ToArray(),
            };
        }

        return result;
    }

    private static ColumnProfile Profile(CatalogColumn column, List<string> raw)
    {
        var present = raw.Where(v => v.Length > 0).ToList();
        var distinct = present.Distinct(StringComparer.Ordinal).ToList();
        var type = column.Type.Split('(')[0];
        var profile = new ColumnProfile(column.Name, column.Type)
        {
            DistinctCount = distinct.Count,
            NullCount = raw.Count - present.Count,
        };
        switch (type)
        {
            case "integer" or "numeric" when distinct.Count > 0:
                var numbers = distinct.Select(v => decimal.Parse(v, CultureInfo.InvariantCulture)).ToList();
                return profile with { Min = numbers.Min().ToString(CultureInfo.InvariantCulture), Max = numbers.Max().ToString(CultureInfo.InvariantCulture) };
            case "date" when distinct.Count > 0:
                return profile with { Min = distinct.Min(StringComparer.Ordinal), Max = distinct.Max(StringComparer.Ordinal) };
            case "text" when distinct.Count <= 250:
                return profile with { Values = distinct.Order(StringComparer.Ordinal).ToArray() };
            default:
                return profile;
        }
    }

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }

        fields.Add(sb.ToString());
        return fields.ToArray();
    }

    /// <summary>The policy the tests prepare translations under.</summary>
    public static readonly QueryPolicy Policy = QueryPolicy.Default;

    /// <summary>Canonical SQL of a tree over one dataset, without output aliases, so expectations can be written plainly.</summary>
    public static string Canonical(Query query, DatasetSchema dataset)
    {
        var prepared = SafeSql.Prepare(query, new TableCatalog([dataset.Table]), Policy);
        Assert.True(prepared.Succeeded, "refused by SafeSql.Prepare: " + string.Join("; ", prepared.Errors));
        return AliasRegex().Replace(prepared.CanonicalSql!, string.Empty);
    }

    /// <summary>Canonical SQL of an expected query written as text.</summary>
    public static string Canonical(string sql, DatasetSchema dataset) => Canonical(SqlParser.Parse(sql), dataset);

    [GeneratedRegex(@" AS ""[^""]*""")]
    private static partial Regex AliasRegex();
}
