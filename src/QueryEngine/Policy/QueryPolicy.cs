namespace AstralytiQ.QueryEngine.Policy;

/// <summary>Limits and allow-lists a query must satisfy. Immutable; start from <see cref="Default"/> and use <c>with</c>.</summary>
public sealed record QueryPolicy
{
    /// <summary>The default type allow-list: numbers, text, booleans, dates, times, intervals, JSON, UUID.</summary>
    public static IReadOnlySet<string> DefaultTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "smallint", "integer", "bigint", "real", "double precision", "numeric", "text", "varchar", "char",
        "boolean", "date", "time", "time with time zone", "timestamp", "timestamp with time zone", "interval",
        "json", "jsonb", "uuid",
    };

    // Declared after DefaultTypes: static initialisers run in order and Default reads it.
    /// <summary>The defaults: 8 levels of subqueries, 10 joins, 10,000 rows, 1,000 IN-list items, 100,000 characters.</summary>
    public static QueryPolicy Default { get; } = new();

    /// <summary>Deepest nesting of queries (the top level is 1; each subquery, derived table or WITH query adds one).</summary>
    public int MaxNestingDepth { get; init; } = 8;

    /// <summary>Most joins in the whole statement (each JOIN and each extra comma-separated FROM item counts one).</summary>
    public int MaxJoins { get; init; } = 10;

    /// <summary>Most rows a query may return: a larger LIMIT is lowered to this.</summary>
    public int MaxResultRows { get; init; } = 10_000;

    /// <summary>LIMIT added when the query has none; null means <see cref="MaxResultRows"/>.</summary>
    public int? DefaultLimit { get; init; }

    /// <summary>Most values in one IN (...) list.</summary>
    public int MaxInListItems { get; init; } = 1_000;

    /// <summary>Deepest nesting of operators and function calls inside one expression.</summary>
    public int MaxExpressionDepth { get; init; } = 150;

    /// <summary>Longest query text accepted, in characters.</summary>
    public int MaxQueryLength { get; init; } = 100_000;

    /// <summary>Functions that may be called (lower-case names). Defaults to <see cref="FunctionAllowList.Default"/>.</summary>
    public IReadOnlySet<string> AllowedFunctions { get; init; } = FunctionAllowList.Default;

    /// <summary>Types that CAST, <c>::</c> and typed literals may name (canonical lower-case names).</summary>
    public IReadOnlySet<string> AllowedTypes { get; init; } = DefaultTypes;


    /// <summary>The LIMIT that is added when a query has none.</summary>
    public int EffectiveDefaultLimit => Math.Min(DefaultLimit ?? MaxResultRows, MaxResultRows);
}
