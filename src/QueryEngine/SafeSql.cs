using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine;

/// <summary>A refusal with its place in the user's text.</summary>
/// <param name="Code">The refusal category.</param>
/// <param name="Message">What is wrong, in one line.</param>
/// <param name="Line">1-based line (0 when the query was built in code).</param>
/// <param name="Column">1-based column (0 when the query was built in code).</param>
/// <param name="Offset">0-based character offset (-1 when the query was built in code).</param>
/// <param name="Length">Characters covered by the offending token or node.</param>
/// <param name="Snippet">The source line with carets under the spot (empty when unknown).</param>
public sealed record SqlError(SqlErrorCode Code, string Message, int Line, int Column, int Offset, int Length, string Snippet)
{
    /// <summary>The message with its position and snippet, as a user would read it.</summary>
    public override string ToString() =>
        Offset < 0 ? $"{Code}: {Message}" : $"{Code}: {Message} (line {Line}, column {Column})\n{Snippet}";
}

/// <summary>The outcome of <see cref="SafeSql.Prepare(string, TableCatalog, QueryPolicy)"/>: either SQL that may run, or errors.</summary>
public sealed record PreparedQuery
{
    /// <summary>True when the query was accepted; then <see cref="ExecutableSql"/> is set and <see cref="Errors"/> is empty.</summary>
    public bool Succeeded => Errors.Count == 0 && ExecutableSql is not null;

    /// <summary>Canonical SQL over the physical tables: the only text that may be sent to PostgreSQL.</summary>
    public string? ExecutableSql { get; init; }

    /// <summary>The same canonical SQL over the logical table names, for showing to the user.</summary>
    public string? CanonicalSql { get; init; }

    /// <summary>The validated, rewritten tree.</summary>
    public Query? Query { get; init; }

    /// <summary>Catalog tables read.</summary>
    public IReadOnlyList<TableUsage> Tables { get; init; } = [];

    /// <summary>Catalog columns read.</summary>
    public IReadOnlyList<ColumnUsage> Columns { get; init; } = [];

    /// <summary>Result column names (and types when statically known).</summary>
    public IReadOnlyList<ResultColumn> ResultColumns { get; init; } = [];

    /// <summary>The LIMIT the executable SQL carries (the row cap that applies).</summary>
    public int EffectiveLimit { get; init; }

    /// <summary>Changes the engine made that the user should know about, e.g. a lowered LIMIT.</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];

    /// <summary>Why the query was refused; empty when accepted.</summary>
    public IReadOnlyList<SqlError> Errors { get; init; } = [];
}

/// <summary>
/// The one entry point for running user SQL safely: parse with the engine's own grammar, check
/// against the caller's catalog and policy, and re-emit canonical PostgreSQL from the checked
/// tree. Nothing of the user's original text (comments, stacked statements, odd quoting) survives
/// into the executable SQL.
/// </summary>
public static class SafeSql
{
    /// <summary>Parses, validates and renders <paramref name="sql"/>.</summary>
    /// <param name="sql">The user's query text.</param>
    /// <param name="catalog">The tables the caller may read.</param>
    /// <param name="policy">Limits and allow-lists.</param>
    /// <returns>Executable and display SQL with what it reads, or the errors with positions.</returns>
    public static PreparedQuery Prepare(string sql, TableCatalog catalog, QueryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(policy);
        sql ??= string.Empty;
        if (sql.Length > policy.MaxQueryLength)
        {
            return Failed(new SqlError(SqlErrorCode.TooComplex, $"the query is {sql.Length} characters long; at most {policy.MaxQueryLength} are allowed", 1, 1, 0, 0, string.Empty));
        }

        Query tree;
        try
        {
            tree = SqlParser.Parse(sql);
        }
        catch (SqlSyntaxException ex)
        {
            return Failed(new SqlError(ex.Code, ex.Reason, ex.Line, ex.Column, ex.Offset, ex.Length, ex.Snippet));
        }

        return Finish(tree, catalog, policy, sql);
    }

    /// <summary>Validates and renders a tree built in code (e.g. by a natural-language translator).</summary>
    /// <param name="query">The tree.</param>
    /// <param name="catalog">The tables the caller may read.</param>
    /// <param name="policy">Limits and allow-lists.</param>
    public static PreparedQuery Prepare(Query query, TableCatalog catalog, QueryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(policy);
        return Finish(query, catalog, policy, null);
    }

    private static PreparedQuery Finish(Query tree, TableCatalog catalog, QueryPolicy policy, string? source)
    {
        var result = QueryValidator.Validate(tree, catalog, policy);
        if (!result.IsValid)
        {
            return new PreparedQuery
            {
                Errors = result.Violations.Select(v => ToError(v, source)).ToArray(),
                Tables = result.Tables,
                Columns = result.Columns,
            };
        }

        try
        {
            return new PreparedQuery
            {
                ExecutableSql = SqlRenderer.Render(result.Query!, NameMode.Physical),
                CanonicalSql = SqlRenderer.Render(result.Query!, NameMode.Logical),
                Query = result.Query,
                Tables = result.Tables,
                Columns = result.Columns,
                ResultColumns = result.ResultColumns,
                EffectiveLimit = result.EffectiveLimit,
                Notices = result.Notices,
            };
        }
        catch (InvalidOperationException ex)
        {
            return Failed(new SqlError(SqlErrorCode.Invalid, ex.Message, 0, 0, -1, 0, string.Empty));
        }
    }

    private static PreparedQuery Failed(SqlError error) => new() { Errors = [error] };

    private static SqlError ToError(PolicyViolation v, string? source)
    {
        if (source is null || !v.Span.IsKnown)
        {
            return new SqlError(v.Code, v.Message, 0, 0, -1, 0, string.Empty);
        }

        var (line, column) = v.Span.LineAndColumn(source);
        return new SqlError(v.Code, v.Message, line, column, v.Span.Offset, v.Span.Length, SourceSnippet.Format(source, v.Span));
    }
}
