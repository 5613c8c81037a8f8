using AstralytiQ.QueryEngine.NaturalLanguage;

namespace AstralytiQ.Server.Features.Ask;

/// <summary>
/// Example questions built from a dataset's columns and profiled values: a count, a measure by a
/// category, the category with the highest measure, a measure over time, a measure for one value,
/// a top five. Each is kept only if the offline translator reads it, so every suggestion answers.
/// </summary>
public static class QuestionSuggester
{
    public static IReadOnlyList<(string Question, DatasetSchema Dataset)> Suggest(IReadOnlyList<DatasetSchema> datasets, OfflineTranslator translator, int max)
    {
        var perDataset = datasets.Select(d => Candidates(d).Where(q => Reads(translator, q, d)).Take(Math.Max(2, max / Math.Max(1, datasets.Count) + 1)).ToList()).ToList();
        // Round-robin over datasets, so each gets a turn before any gets a second.
        var result = new List<(string, DatasetSchema)>();
        for (var round = 0; result.Count < max && perDataset.Any(list => list.Count > round); round++)
        {
            for (var i = 0; i < perDataset.Count && result.Count < max; i++)
            {
                if (perDataset[i].Count > round)
                {
                    result.Add((perDataset[i][round], datasets[i]));
                }
            }
        }
        return result;
    }

    private static bool Reads(OfflineTranslator translator, string question, DatasetSchema dataset)
    {
        var t = translator.Translate(new NlRequest(question, dataset));
        return t.Succeeded && t.Confidence >= 0.6 && t.Dataset == dataset.Table.Name;
    }

    private static IEnumerable<string> Candidates(DatasetSchema dataset)
    {
        var rows = Plural(dataset.RowNouns.FirstOrDefault() ?? "row");
        var measures = dataset.Columns.Where(IsMeasure).ToList();
        var categories = dataset.Columns.Where(c => c.Type == "text" && c.Values.Count is >= 2 and <= 30).OrderBy(c => c.Values.Count).ToList();
        var times = dataset.Columns.Where(c => c.Type is "date" or "timestamp" or "timestamptz").ToList();
        var measure = measures.FirstOrDefault(m => m.Name.Contains("revenue", StringComparison.OrdinalIgnoreCase) || m.Name.Contains("price", StringComparison.OrdinalIgnoreCase)
            || m.Name.Contains("amount", StringComparison.OrdinalIgnoreCase) || m.Name.Contains("sales", StringComparison.OrdinalIgnoreCase)) ?? measures.FirstOrDefault();
        var category = categories.FirstOrDefault();
        var second = categories.Skip(1).FirstOrDefault();

        yield return $"How many {rows} are there?";
        if (measure is not null && category is not null)
        {
            yield return $"What is the total {Words(measure.Name)} by {Words(category.Name)}?";
            yield return $"Which {Words(category.Name)} has the highest average {Words(measure.Name)}?";
        }
        if (measure is not null && times.FirstOrDefault() is { } time)
        {
            yield return $"Show the total {Words(measure.Name)} by month of {Words(time.Name)}";
        }
        if (measure is not null && (second ?? category) is { } filter && filter.Values.FirstOrDefault() is { } value)
        {
            yield return $"What is the average {Words(measure.Name)} for {value}?";
        }
        if (measure is not null && categories.LastOrDefault() is { } many)
        {
            yield return $"Top 5 {Plural(Words(many.Name))} by total {Words(measure.Name)}";
        }
        if (category is not null)
        {
            yield return $"How many {rows} are there for each {Words(category.Name)}?";
        }
        foreach (var other in measures.Skip(1).Take(2))
        {
            yield return $"What is the average {Words(other.Name)}?";
        }
    }

    private static bool IsMeasure(ColumnProfile column) =>
        column.Type is "integer" or "bigint" or "numeric" or "double precision" or "real" or "smallint" || column.Type.StartsWith("numeric(", StringComparison.Ordinal)
            ? !column.Name.EndsWith("_id", StringComparison.OrdinalIgnoreCase) && !column.Name.Equals("id", StringComparison.OrdinalIgnoreCase)
                && !column.Name.Contains("year", StringComparison.OrdinalIgnoreCase) && !column.Name.Contains("month", StringComparison.OrdinalIgnoreCase)
            : false;

    private static string Words(string name) => name.Replace('_', ' ');

    private static string Plural(string noun) =>
        noun.EndsWith('s') ? noun : noun.EndsWith('y') && noun.Length > 2 && !"aeiou".Contains(noun[^2], StringComparison.Ordinal) ? noun[..^1] + "ies" : noun + "s";
}
