using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage;

/// <summary>
/// Suggests a chart from the shape of a result: one value is a KPI; a category and a number are
/// bars (or a pie when a handful of categories share one total); time and a number are a line;
/// two numbers are a scatter plot; anything else stays a table. Deterministic and cheap.
/// </summary>
public static class ChartAdvisor
{
    private const int MaxPieSlices = 6;
    private const int MaxBars = 50;

    private enum Role
    {
        Number,
        Time,
        Category,
        Other,
    }

    /// <summary>Suggests a chart for <paramref name="result"/>.</summary>
    /// <param name="result">The rows and columns.</param>
    /// <param name="query">The query that produced them, when known: it tells counts and sums (shares of a total) from averages, and top-N cuts from whole sets.</param>
    public static ChartSpec Suggest(NlResult result, Query? query = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var title = query is null ? "result" : NlExplainer.Describe(query);
        if (result.Rows.Count == 0 || result.Columns.Count == 0)
        {
            return new ChartSpec(ChartKind.Table, title) { Reason = "no rows" };
        }

        var roles = result.Columns.Select((c, i) => RoleOf(c, result.Rows.Select(r => i < r.Count ? r[i] : null))).ToList();
        var numbers = Indexes(roles, Role.Number);
        var times = Indexes(roles, Role.Time);
        var categories = Indexes(roles, Role.Category);
        string Name(int i) => result.Columns[i].Name;

        if (result.Rows.Count == 1 && numbers.Count == result.Columns.Count && numbers.Count <= 4)
        {
            return new ChartSpec(ChartKind.Kpi, title) { Y = numbers.Select(Name).ToArray(), Reason = "a single value" };
        }

        if (result.Rows.Count == 1 && categories.Count == 1 && times.Count == 0 && numbers.Count is >= 1 and <= 4)
        {
            return new ChartSpec(ChartKind.Kpi, title) { X = Name(categories[0]), Y = numbers.Select(Name).ToArray(), Reason = "a single labelled value" };
        }

        if (times.Count == 1 && numbers.Count >= 1 && categories.Count == 0 && result.Rows.Count >= 2)
        {
            return new ChartSpec(ChartKind.Line, title) { X = Name(times[0]), Y = numbers.Select(Name).ToArray(), Reason = "a measure over time" };
        }

        if (times.Count == 1 && numbers.Count == 1 && categories.Count == 1 && result.Rows.Count >= 2 && Distinct(result, categories[0]) <= 12)
        {
            return new ChartSpec(ChartKind.Line, title) { X = Name(times[0]), Y = [Name(numbers[0])], Series = Name(categories[0]), Reason = "a measure over time for each category" };
        }

        if (categories.Count == 1 && times.Count == 0 && numbers.Count >= 1 && result.Rows.Count <= MaxBars)
        {
            var x = Name(categories[0]);
            if (numbers.Count == 1 && result.Rows.Count is >= 2 and <= MaxPieSlices && IsShareOfTotal(query) && AllNonNegative(result, numbers[0]))
            {
                return new ChartSpec(ChartKind.Pie, title) { X = x, Y = [Name(numbers[0])], Reason = "a few categories sharing one total" };
            }

            return new ChartSpec(ChartKind.Bar, title) { X = x, Y = numbers.Select(Name).ToArray(), Reason = "a measure for each category" };
        }

        if (categories.Count == 2 && numbers.Count == 1 && times.Count == 0 && result.Rows.Count <= MaxBars * 4 && Distinct(result, categories[1]) <= 12)
        {
            return new ChartSpec(ChartKind.Bar, title) { X = Name(categories[0]), Y = [Name(numbers[0])], Series = Name(categories[1]), Reason = "a measure for each pair of categories" };
        }

        if (numbers.Count == 2 && categories.Count == 0 && times.Count == 0 && result.Rows.Count >= 3)
        {
            return new ChartSpec(ChartKind.Scatter, title) { Y = [Name(numbers[0]), Name(numbers[1])], Reason = "two measures against each other" };
        }

        return new ChartSpec(ChartKind.Table, title) { Reason = "no chart fits this shape" };
    }

    private static List<int> Indexes(List<Role> roles, Role role) => roles.Select((r, i) => (r, i)).Where(x => x.r == role).Select(x => x.i).ToList();

    private static int Distinct(NlResult result, int column) => result.Rows.Select(r => r[column]?.ToString()).Distinct(StringComparer.Ordinal).Count();

    private static bool AllNonNegative(NlResult result, int column) =>
        result.Rows.All(r => r[column] is null || (ToDouble(r[column]) is { } d && d >= 0));

    /// <summary>Counts and sums over a whole (not cut to a top N) add up to a total; averages and maxima do not.</summary>
    private static bool IsShareOfTotal(Query? query)
    {
        if (query?.Body is not SelectCore core)
        {
            return false;
        }

        // A top-N cut (ordered by a measure, then limited) is not the whole; groups merely listed in
        // their own order under the row cap still are.
        if (query.Limit is not null && query.OrderBy.Count > 0 && !NlExplainer.IsGroupKey(core, query.OrderBy[0].Expr))
        {
            return false;
        }

        var measures = core.Items.OfType<ExpressionItem>().Select(i => i.Expr).OfType<FunctionCall>().ToList();
        return measures.Count == 1 && measures[0].Name.Last.Normalized is "count" or "sum" && !measures[0].Distinct;
    }

    private static Role RoleOf(NlResultColumn column, IEnumerable<object?> values)
    {
        var type = column.Type?.ToLowerInvariant();
        if (type is not null)
        {
            if (type.StartsWith("date", StringComparison.Ordinal) || type.StartsWith("timestamp", StringComparison.Ordinal))
            {
                return Role.Time;
            }

            if (type is "text" or "boolean" or "uuid" || type.StartsWith("char", StringComparison.Ordinal) || type.StartsWith("varchar", StringComparison.Ordinal) || type.StartsWith("character", StringComparison.Ordinal))
            {
                return Role.Category;
            }
        }

        var sample = values.Where(v => v is not null).Take(200).ToList();
        if (sample.Count == 0)
        {
            return Role.Other;
        }

        if (sample.All(v => v is DateTime or DateOnly or DateTimeOffset))
        {
            return Role.Time;
        }

        if (sample.All(v => v is string or bool or Guid))
        {
            return Role.Category;
        }

        if (sample.All(v => ToDouble(v) is not null))
        {
            // Year, month and similar integer buckets read as time; other numbers as measures.
            var name = column.Name.ToLowerInvariant();
            var integers = sample.All(v => ToDouble(v) is { } d && d == Math.Floor(d));
            if (integers && name is "year" or "month" or "quarter" or "week" or "day" or "hour" || (integers && (name.EndsWith("_year", StringComparison.Ordinal) || name.StartsWith("year_", StringComparison.Ordinal))))
            {
                return Role.Time;
            }

            return Role.Number;
        }

        return Role.Other;
    }

    internal static double? ToDouble(object? v) => v switch
    {
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        decimal m => (double)m,
        double d => d,
        float f => f,
        _ => null,
    };
}
