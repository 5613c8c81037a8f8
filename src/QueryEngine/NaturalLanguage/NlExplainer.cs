using System.Globalization;
using System.Text;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage;

/// <summary>
/// Deterministic English for query trees: what a query computes ("average price for each cut, where
/// shape is Round") from any single-SELECT tree, whoever wrote it. Unusual constructs fall back to
/// their canonical SQL text, so the description is never wrong, only sometimes technical.
/// </summary>
public static class NlExplainer
{
    private static readonly string[] MonthNames = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;

    /// <summary>Describes what <paramref name="query"/> computes, in one line of plain English.</summary>
    /// <param name="query">A query tree (logical names).</param>
    /// <param name="rowsReturned">How many rows it returned, when known: a row limit it did not reach is not mentioned.</param>
    public static string Describe(Query query, int? rowsReturned = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Body is not SelectCore core || query.With is not null)
        {
            return "the result of: " + SqlRenderer.Render(query);
        }

        var sb = new StringBuilder();
        var items = core.Items.Select(i => i switch
        {
            StarItem => "all columns",
            ExpressionItem e => Value(e.Expr),
            _ => "?",
        }).ToList();
        if (core.Distinct is not null)
        {
            sb.Append("distinct ");
        }

        var groupTexts = core.GroupBy.Select(g => SqlRenderer.RenderExpression(g)).ToHashSet(StringComparer.Ordinal);
        var shown = core.Items.OfType<ExpressionItem>()
            .Where(e => core.GroupBy.Count == 0 || !groupTexts.Contains(SqlRenderer.RenderExpression(e.Expr)))
            .Select(e => Value(e.Expr)).ToList();
        if (core.Items.Any(i => i is StarItem))
        {
            shown.Insert(0, "all columns");
        }

        sb.Append(List(shown.Count > 0 ? shown : items));
        if (core.From.Count == 1 && core.From[0] is NamedTable t)
        {
            sb.Append(" of ").Append(t.Name.Last.Name);
        }

        if (core.GroupBy.Count > 0)
        {
            sb.Append(" for each ").Append(List(core.GroupBy.Select(Value).ToList()));
        }

        if (core.Where is not null)
        {
            sb.Append(", where ").Append(Condition(core.Where));
        }

        if (core.Having is not null)
        {
            sb.Append(", keeping groups where ").Append(Condition(core.Having));
        }

        // Groups listed in their own order (by cut, by year) go without saying: "for each cut" says it.
        if (query.OrderBy.Count > 0 && !(query.OrderBy[0].Direction != SortDirection.Descending && IsGroupKey(core, query.OrderBy[0].Expr)))
        {
            var o = query.OrderBy[0];
            var desc = o.Direction == SortDirection.Descending;
            var key = Value(o.Expr);
            var limit = LimitOf(query);
            if (limit == 1)
            {
                sb.Append(", the one with the ").Append(desc ? "highest " : "lowest ").Append(key);
            }
            else if (limit is not null)
            {
                sb.Append(", the ").Append(desc ? "top " : "bottom ").Append(limit.Value.ToString(CultureInfo.InvariantCulture)).Append(" by ").Append(key);
            }
            else
            {
                sb.Append(", sorted by ").Append(key).Append(desc ? " (highest first)" : " (lowest first)");
            }
        }
        else if (LimitOf(query) is { } n && !(rowsReturned < n))
        {
            sb.Append(", first ").Append(n.ToString(CultureInfo.InvariantCulture)).Append(" rows");
        }

        return sb.ToString();
    }

    /// <summary>
    /// Whether an ORDER BY key is one of the query's GROUP BY expressions, written out or by its output
    /// name (<c>ORDER BY "channel"</c> over <c>GROUP BY retail_sales.channel</c>): groups listed in their own order.
    /// </summary>
    internal static bool IsGroupKey(SelectCore core, Expr key)
    {
        var groupTexts = core.GroupBy.Select(g => SqlRenderer.RenderExpression(g)).ToHashSet(StringComparer.Ordinal);
        if (groupTexts.Contains(SqlRenderer.RenderExpression(key)))
        {
            return true;
        }

        if (key is not ColumnRef { Name.Parts.Count: 1 } named)
        {
            return false;
        }

        var name = named.Name.Last.Normalized;
        return core.Items.OfType<ExpressionItem>().Any(i =>
            (i.Alias?.Normalized ?? (i.Expr as ColumnRef)?.Name.Last.Normalized) == name
            && groupTexts.Contains(SqlRenderer.RenderExpression(i.Expr)));
    }

    /// <summary>
    /// Summarises a result in a sentence or two: what was computed, over how many rows, and the notable value
    /// (the single value, or the highest and lowest group).
    /// </summary>
    /// <param name="query">The query that produced the result.</param>
    /// <param name="result">The rows and columns.</param>
    /// <param name="rowsConsidered">How many rows of the dataset the query read (after its filters), when the caller knows it.</param>
    public static string Summarize(Query query, NlResult result, long? rowsConsidered = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(result);
        var what = Describe(query, result.Rows.Count);
        var over = rowsConsidered is { } n ? $" over {Count(n)} {(n == 1 ? "row" : "rows")}" : string.Empty;
        if (result.Rows.Count == 0)
        {
            return $"No rows match: {what}.";
        }

        var numbers = Enumerable.Range(0, result.Columns.Count).Where(i => result.Rows.All(r => r[i] is null || ChartAdvisor.ToDouble(r[i]) is not null) && result.Rows.Any(r => r[i] is not null)).ToList();
        var labels = Enumerable.Range(0, result.Columns.Count).Except(numbers).ToList();
        var measure = query.Body is SelectCore core
            ? core.Items.Select((item, i) => (item, i)).Where(x => x.item is ExpressionItem e && e.Expr is FunctionCall or BinaryExpr).Select(x => x.i).Where(numbers.Contains).DefaultIfEmpty(-1).Last()
            : -1;
        if (measure < 0 && numbers.Count > 0)
        {
            measure = numbers[^1];
        }

        if (result.Rows.Count == 1 && result.Columns.Count == 1)
        {
            return $"The {what} is {Format(result.Rows[0][0])}{over}.";
        }

        if (result.Rows.Count == 1 && measure >= 0)
        {
            var label = string.Join(", ", labels.Select(i => Format(result.Rows[0][i])));
            var values = string.Join(", ", numbers.Select(i => $"{result.Columns[i].Name} {Format(result.Rows[0][i])}"));
            return label.Length > 0 ? $"{label}: {values} ({what}{over})." : $"{values} ({what}{over}).";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Count(result.Rows.Count)} rows{(result.Truncated ? " (cut at the row limit)" : string.Empty)}: {what}{over}.");
        if (measure >= 0 && labels.Count > 0)
        {
            var ranked = result.Rows.Where(r => r[measure] is not null).OrderByDescending(r => ChartAdvisor.ToDouble(r[measure])).ToList();
            if (ranked.Count >= 2)
            {
                string Label(IReadOnlyList<object?> row) => string.Join(", ", labels.Select(i => Format(row[i])));
                var top = ranked[0];
                var bottom = ranked[^1];
                text.Append(CultureInfo.InvariantCulture, $" Highest {result.Columns[measure].Name}: {Label(top)} ({Format(top[measure])}); lowest: {Label(bottom)} ({Format(bottom[measure])}).");
            }
        }

        return text.ToString();
    }

    private static string Count(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Format(object? v) => v switch
    {
        null => "no value",
        decimal m => m == decimal.Truncate(m) ? m.ToString("#,0", CultureInfo.InvariantCulture) : Math.Round(m, 2).ToString("#,0.##", CultureInfo.InvariantCulture),
        double d => double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e15 ? d.ToString("#,0", CultureInfo.InvariantCulture) : Math.Round(d, 2).ToString("#,0.##", CultureInfo.InvariantCulture),
        float f => Format((double)f),
        int or long or short => Convert.ToInt64(v, CultureInfo.InvariantCulture).ToString("#,0", CultureInfo.InvariantCulture),
        DateTime dt => dt.TimeOfDay == TimeSpan.Zero ? dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : dt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "yes" : "no",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };

    private static int? LimitOf(Query q) =>
        q.Limit is NumericLiteral { IsInteger: true } l && int.TryParse(l.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static string List(IReadOnlyList<string> parts) => parts.Count switch
    {
        0 => "rows",
        1 => parts[0],
        _ => string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1],
    };

    /// <summary>English for a value expression.</summary>
    internal static string Value(Expr e) => e switch
    {
        ColumnRef c => c.Name.Last.Name,
        FunctionCall { Star: true } f when f.Name.Last.Normalized == "count" => f.Filter is null ? "number of rows" : "number of rows where " + Condition(f.Filter),
        FunctionCall f when f.Name.Last.Normalized == "count" && f.Distinct && f.Args.Count == 1 => "number of distinct " + Value(f.Args[0]),
        FunctionCall f when f.Name.Last.Normalized == "count" && f.Args.Count == 1 => "number of " + Value(f.Args[0]) + " values",
        FunctionCall f when f.Name.Last.Normalized == "percentile_cont" && f.WithinGroup.Count == 1 => "median " + Value(f.WithinGroup[0].Expr),
        FunctionCall f when f.Args.Count == 1 && Aggregate(f.Name.Last.Normalized) is { } word => word + " " + Value(f.Args[0]) + (f.Filter is null ? string.Empty : " where " + Condition(f.Filter)),
        FunctionCall f when f.Name.Last.Normalized == "date_trunc" && f.Args.Count == 2 && f.Args[0] is StringLiteral unit => unit.Value + " of " + Value(f.Args[1]),
        CastExpr c => Value(c.Operand),
        ExtractExpr x => x.Field + " of " + Value(x.Source),
        BinaryExpr { Operator: BinaryOperator.Divide, Left: BinaryExpr { Operator: BinaryOperator.Multiply, Left: NumericLiteral { Text: "100.0" } or NumericLiteral { Text: "100" }, Right: FunctionCall num }, Right: FunctionCall den }
            when num.Filter is not null => "percentage of " + (den.Star ? "rows" : Value(den)) + " where " + Condition(num.Filter),
        _ => SqlRenderer.RenderExpression(e),
    };

    private static string? Aggregate(string name) => name switch
    {
        "sum" => "total",
        "avg" => "average",
        "min" => "minimum",
        "max" => "maximum",
        "stddev" or "stddev_samp" => "standard deviation of",
        _ => null,
    };

    /// <summary>English for a condition.</summary>
    internal static string Condition(Expr e)
    {
        // A date range on one column: "order_date in 2023", "order_date in March 2024".
        var parts = Conjuncts(e).ToList();
        var text = new List<string>();
        for (var i = 0; i < parts.Count; i++)
        {
            if (i + 1 < parts.Count && DateRange(parts[i], parts[i + 1]) is { } range)
            {
                text.Add(range);
                i++;
                continue;
            }

            text.Add(One(parts[i]));
        }

        return string.Join(" and ", text);
    }

    private static IEnumerable<Expr> Conjuncts(Expr e)
    {
        if (e is BinaryExpr { Operator: BinaryOperator.And } b)
        {
            return Conjuncts(b.Left).Concat(Conjuncts(b.Right));
        }

        return [e];
    }

    private static string? DateRange(Expr a, Expr b)
    {
        if (a is not BinaryExpr { Operator: BinaryOperator.GreaterOrEqual, Left: ColumnRef c1, Right: TypedLiteral l1 } ||
            b is not BinaryExpr { Operator: BinaryOperator.Less, Left: ColumnRef c2, Right: TypedLiteral l2 } ||
            c1.Name.Last.Name != c2.Name.Last.Name ||
            !DateOnly.TryParse(l1.Value, CultureInfo.InvariantCulture, out var from) || !DateOnly.TryParse(l2.Value, CultureInfo.InvariantCulture, out var to))
        {
            return null;
        }

        var col = c1.Name.Last.Name;
        if (from.Day == 1 && from.Month == 1 && to == from.AddYears(1))
        {
            return $"{col} is in {from.Year}";
        }

        if (from.Day == 1 && to == from.AddMonths(1))
        {
            return $"{col} is in {MonthNames[from.Month - 1]} {from.Year}";
        }

        if (from.Day == 1 && (from.Month - 1) % 3 == 0 && to == from.AddMonths(3))
        {
            return $"{col} is in Q{((from.Month - 1) / 3) + 1} {from.Year}";
        }

        return $"{col} is from {from:yyyy-MM-dd} up to (not including) {to:yyyy-MM-dd}";
    }

    private static string One(Expr e) => e switch
    {
        BinaryExpr { Operator: BinaryOperator.Or } o => "(" + One(o.Left) + " or " + One(o.Right) + ")",
        BinaryExpr { Operator: BinaryOperator.And } a => Condition(a),
        BinaryExpr { Left: ExtractExpr { Field: "month" } x, Operator: BinaryOperator.Equal, Right: NumericLiteral { IsInteger: true } m }
            when int.TryParse(m.Text, CultureInfo.InvariantCulture, out var mi) && mi is >= 1 and <= 12 => $"{Value(x.Source)} is in {MonthNames[mi - 1]}",
        BinaryExpr b when Comparison(b.Operator) is { } op => Value(b.Left) + " " + op + " " + Literal(b.Right),
        InListExpr i => Value(i.Operand) + (i.Negated ? " is none of " : " is ") + OrList(i.Values.Select(Literal).ToList()),
        BetweenExpr bt => Value(bt.Operand) + (bt.Negated ? " is not between " : " is between ") + Literal(bt.Low) + " and " + Literal(bt.High),
        IsExpr { Test: IsTest.Null } n => Value(n.Operand) + (n.Negated ? " is recorded" : " is missing"),
        LikeExpr l when l.Pattern is StringLiteral p => Value(l.Operand) + (l.Negated ? " does not " : " ") + LikeWords(p.Value),
        UnaryExpr { Operator: UnaryOperator.Not, Operand: ColumnRef c } => c.Name.Last.Name + " is false",
        ColumnRef c => c.Name.Last.Name + " is true",
        _ => SqlRenderer.RenderExpression(e),
    };

    private static string LikeWords(string pattern)
    {
        var starts = pattern.EndsWith('%') && !pattern.StartsWith('%');
        var ends = pattern.StartsWith('%') && !pattern.EndsWith('%');
        var core = pattern.Trim('%');
        return starts ? $"starts with \"{core}\"" : ends ? $"ends with \"{core}\"" : $"contains \"{core}\"";
    }

    private static string OrList(IReadOnlyList<string> parts) =>
        parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " or " + parts[^1];

    private static string? Comparison(BinaryOperator op) => op switch
    {
        BinaryOperator.Equal => "is",
        BinaryOperator.NotEqual => "is not",
        BinaryOperator.Greater => "is more than",
        BinaryOperator.GreaterOrEqual => "is at least",
        BinaryOperator.Less => "is less than",
        BinaryOperator.LessOrEqual => "is at most",
        _ => null,
    };

    private static string Literal(Expr e) => e switch
    {
        StringLiteral s => s.Value,
        NumericLiteral n => n.Text,
        UnaryExpr { Operator: UnaryOperator.Negate, Operand: NumericLiteral n } => "-" + n.Text,
        TypedLiteral t => t.Value,
        BooleanLiteral b => b.Value ? "true" : "false",
        _ => Value(e),
    };
}
