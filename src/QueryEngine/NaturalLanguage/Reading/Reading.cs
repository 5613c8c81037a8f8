using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.NaturalLanguage.Reading;

/// <summary>Aggregates the reader produces.</summary>
internal enum AggKind
{
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Median,
    Percent,
    Rate,
    Ratio,
}

/// <summary>A measure: an aggregate over a column (or over rows for counts).</summary>
internal sealed record MeasureSpec(AggKind Agg, ColumnInfo? Column)
{
    /// <summary>For percentages: the condition whose share is computed.</summary>
    public Expr? Filter { get; init; }

    /// <summary>For percentages of a sum: the summed column (null counts rows).</summary>
    public ColumnInfo? Of { get; init; }

    /// <summary>
    /// For percentages with no condition over groups: each group's share of the total over the (filtered) table
    /// ("share of revenue by channel": <c>100.0 * sum(revenue) / sum(sum(revenue)) OVER ()</c>).
    /// </summary>
    public bool Share { get; init; }

    /// <summary>For ratios: the denominator column ("price per carat": <c>avg(price / carat)</c>).</summary>
    public ColumnInfo? Per { get; init; }

    /// <summary>For ratios: a ratio of sums rather than an average of row ratios ("profit margin": <c>sum(profit) / sum(revenue)</c>).</summary>
    public bool RatioOfSums { get; init; }

    /// <summary>For ratios of sums: shown as a percentage ("margin %").</summary>
    public bool AsPercent { get; init; }

    /// <summary>Token index where the phrase that produced it starts.</summary>
    public int At { get; init; } = -1;

    public Expr ToExpr()
    {
        switch (Agg)
        {
            case AggKind.Count:
                return Column is null ? Exprs.CountStar() : Exprs.Call("count", Exprs.Col(Column.Name));
            case AggKind.CountDistinct:
                return new FunctionCall(QualifiedName.Of("count"), [Exprs.Col(Column!.Name)]) { Distinct = true };
            case AggKind.Rate:
                // The share of rows with the flag, as a fraction: avg(CASE WHEN flag THEN 1.0 ELSE 0 END).
                return Exprs.Call("avg", new CaseExpr(null, [new WhenClause(Exprs.Col(Column!.Name), new NumericLiteral("1.0"))], new NumericLiteral(0)));
            case AggKind.Median:
                return new FunctionCall(QualifiedName.Of("percentile_cont"), [new NumericLiteral("0.5")]) { WithinGroup = [new OrderItem(Exprs.Col(Column!.Name))] };
            case AggKind.Ratio:
                return RatioExpr();
            case AggKind.Percent when Share:
                Expr part = Of is null ? Exprs.CountStar() : Exprs.Call("sum", Exprs.Col(Of.Name));
                Expr whole = Exprs.Call("sum", part) with { Over = new WindowSpec() };
                return new BinaryExpr(BinaryOperator.Divide, new BinaryExpr(BinaryOperator.Multiply, new NumericLiteral("100.0"), part), whole);
            case AggKind.Percent:
                Expr numerator = Of is null
                    ? Exprs.CountStar() with { Filter = Filter }
                    : new FunctionCall(QualifiedName.Of("sum"), [Exprs.Col(Of.Name)]) { Filter = Filter };
                Expr denominator = Of is null ? Exprs.CountStar() : Exprs.Call("sum", Exprs.Col(Of.Name));
                return new BinaryExpr(BinaryOperator.Divide, new BinaryExpr(BinaryOperator.Multiply, new NumericLiteral("100.0"), numerator), denominator);
            default:
                var name = Agg switch { AggKind.Sum => "sum", AggKind.Avg => "avg", AggKind.Min => "min", _ => "max" };
                return Exprs.Call(name, Exprs.Col(Column!.Name));
        }
    }

    private Expr RatioExpr()
    {
        var top = Exprs.Col(Column!.Name);
        var bottom = Exprs.Col(Per!.Name);
        if (!RatioOfSums)
        {
            // Rows whose denominator is zero have no ratio: nullif keeps them out of the average instead of failing.
            return Exprs.Call("avg", new BinaryExpr(BinaryOperator.Divide, top, Exprs.Call("nullif", bottom, new NumericLiteral(0))));
        }

        Expr ratio = new BinaryExpr(BinaryOperator.Divide, Exprs.Call("sum", top), Exprs.Call("nullif", Exprs.Call("sum", bottom), new NumericLiteral(0)));
        return AsPercent ? new BinaryExpr(BinaryOperator.Multiply, new NumericLiteral("100.0"), ratio) : ratio;
    }

    public string Alias => Agg switch
    {
        AggKind.Ratio => Column!.Name + "_per_" + Per!.Name,
        AggKind.Percent when Share => "share",
        AggKind.Count => "count",
        AggKind.CountDistinct => "distinct_" + Column!.Name,
        AggKind.Sum => "total_" + Column!.Name,
        AggKind.Avg => "average_" + Column!.Name,
        AggKind.Min => "min_" + Column!.Name,
        AggKind.Max => "max_" + Column!.Name,
        AggKind.Median => "median_" + Column!.Name,
        AggKind.Rate => Column!.Name + "_rate",
        _ => "percentage",
    };
}

/// <summary>A grouping key: a column, or a time bucket of a date column.</summary>
internal sealed record GroupSpec(ColumnInfo Column, string? Bucket)
{
    public int At { get; init; } = -1;
}

/// <summary>An ordering: by a measure, a column, or the nth group key.</summary>
internal sealed record OrderSpec(MeasureSpec? Measure, ColumnInfo? Column, bool Descending);

/// <summary>What the reader made of a question over one dataset: the pieces of a plan, and what it could not place.</summary>
internal sealed class QuestionReading
{
    public required SchemaIndex Index { get; init; }

    public required IReadOnlyList<Token> Tokens { get; init; }

    public required IReadOnlyList<Item> Items { get; init; }

    public List<MeasureSpec> Measures { get; } = [];

    public List<ColumnInfo> Projection { get; } = [];

    public bool Star { get; set; }

    public bool Distinct { get; set; }

    public List<PlanCondition> Where { get; } = [];

    public List<GroupSpec> Groups { get; } = [];

    public List<PlanCondition> Having { get; } = [];

    public List<OrderSpec> Order { get; } = [];

    public int? Limit { get; set; }

    /// <summary>The answer is the number of groups that pass the HAVING ("how many customers placed more than 15 orders").</summary>
    public bool CountGroups { get; set; }

    /// <summary>Content words no pass could place.</summary>
    public List<string> Unplaced { get; } = [];

    /// <summary>Things that must not be dropped (numbers, names, quoted text) but could not be placed.</summary>
    public List<string> Blocking { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>How well the question linked to this dataset, for choosing among datasets.</summary>
    public double LinkScore { get; set; }

    public double Confidence { get; set; } = 1.0;

    /// <summary>The question reads as a follow-up ("what about ...", "only for ...", "instead").</summary>
    public bool FollowUpCue { get; set; }

    /// <summary>The follow-up replaces rather than adds ("by region instead").</summary>
    public bool Instead { get; set; }

    /// <summary>Follow-up asks to flip the ordering ("and the fewest?").</summary>
    public bool? FlipTo { get; set; }

    /// <summary>The only measure is the row count added because groups had nothing to compute.</summary>
    public bool DefaultCount { get; set; }

    public bool HasTarget => Measures.Count > 0 || Projection.Count > 0 || Star || CountGroups;

    /// <summary>The question names what to compute or show itself (a follow-up fragment does not).</summary>
    public bool HasOwnTarget => CountGroups || (Measures.Count > 0 && !DefaultCount) || Projection.Count > 0 || (Star && StarAsked);

    /// <summary>The rows themselves were asked for ("orders without a store", "all information").</summary>
    public bool StarAsked { get; set; }

    public bool HasAnything => HasTarget || Where.Count > 0 || Groups.Count > 0 || Order.Count > 0 || Limit is not null || Having.Count > 0;
}
