namespace AstralytiQ.QueryEngine.NaturalLanguage;

/// <summary>A column of a query result.</summary>
/// <param name="Name">The output name.</param>
/// <param name="Type">The PostgreSQL type name when known (e.g. from <see cref="PreparedQuery.ResultColumns"/> or the data reader), otherwise null and inferred from the values.</param>
public sealed record NlResultColumn(string Name, string? Type = null);

/// <summary>
/// A query result as the server fetched it, for <see cref="NlExplainer.Summarize"/> and
/// <see cref="ChartAdvisor.Suggest"/>. Values are the CLR values the data reader returned
/// (<see cref="long"/>, <see cref="decimal"/>, <see cref="double"/>, <see cref="string"/>,
/// <see cref="DateTime"/>, <see cref="DateOnly"/>, <see cref="bool"/>, or null).
/// </summary>
/// <param name="Columns">The columns, in order.</param>
/// <param name="Rows">The rows; each has one value per column.</param>
public sealed record NlResult(IReadOnlyList<NlResultColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows)
{
    /// <summary>True when the row cap cut the result short.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Kinds of chart the portal draws.</summary>
public enum ChartKind
{
    /// <summary>No chart: show the table.</summary>
    Table,

    /// <summary>One or a few headline numbers.</summary>
    Kpi,

    /// <summary>Bars: a category and one or more numbers (grouped by <see cref="ChartSpec.Series"/> when set).</summary>
    Bar,

    /// <summary>A line over time.</summary>
    Line,

    /// <summary>Points: two numbers against each other.</summary>
    Scatter,

    /// <summary>Slices: a few categories whose numbers are shares of one total.</summary>
    Pie,
}

/// <summary>A chart the portal can render from the result, naming the result columns it uses.</summary>
/// <param name="Kind">The chart kind.</param>
/// <param name="Title">A title, e.g. "total revenue by region".</param>
public sealed record ChartSpec(ChartKind Kind, string Title)
{
    /// <summary>The category or time column on the horizontal axis (or the slice labels); null for KPIs, tables and scatter plots of two measures.</summary>
    public string? X { get; init; }

    /// <summary>The numeric columns drawn (for scatter: the horizontal then the vertical measure).</summary>
    public IReadOnlyList<string> Y { get; init; } = [];

    /// <summary>A second category that splits bars into series, if any.</summary>
    public string? Series { get; init; }

    /// <summary>Why this chart, in a few words (shown as a tooltip).</summary>
    public string Reason { get; init; } = string.Empty;
}
