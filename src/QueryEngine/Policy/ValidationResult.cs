using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Policy;

/// <summary>One reason a query was refused.</summary>
/// <param name="Code">The refusal category.</param>
/// <param name="Message">What is wrong, naming the offending table, column or function and the candidates where useful.</param>
/// <param name="Span">The offending node's place in the source text (<see cref="SourceSpan.None"/> for built trees).</param>
public sealed record PolicyViolation(SqlErrorCode Code, string Message, SourceSpan Span);

/// <summary>A catalog table the query reads.</summary>
/// <param name="Name">Logical name (as in the catalog).</param>
/// <param name="PhysicalSchema">Physical schema.</param>
/// <param name="PhysicalTable">Physical table.</param>
public sealed record TableUsage(string Name, string PhysicalSchema, string PhysicalTable);

/// <summary>A catalog column the query reads.</summary>
/// <param name="Table">Logical table name.</param>
/// <param name="Column">Column name.</param>
public sealed record ColumnUsage(string Table, string Column);

/// <summary>A column of the query's result.</summary>
/// <param name="Name">The output name PostgreSQL will give it.</param>
/// <param name="Type">Its type when statically known (a plain column or a cast), otherwise null.</param>
public sealed record ResultColumn(string Name, string? Type);

/// <summary>The outcome of <see cref="QueryValidator.Validate"/>.</summary>
/// <param name="Query">The rewritten query (canonical names, physical tables bound, LIMIT enforced); null when refused.</param>
/// <param name="Violations">Why the query was refused; empty when accepted.</param>
/// <param name="Tables">Catalog tables read, in first-use order.</param>
/// <param name="Columns">Catalog columns read, in first-use order.</param>
/// <param name="ResultColumns">The result's columns.</param>
/// <param name="EffectiveLimit">The LIMIT the rewritten query carries.</param>
/// <param name="Notices">Changes the validator made that the user should know about (e.g. a lowered LIMIT).</param>
public sealed record ValidationResult(
    Query? Query,
    IReadOnlyList<PolicyViolation> Violations,
    IReadOnlyList<TableUsage> Tables,
    IReadOnlyList<ColumnUsage> Columns,
    IReadOnlyList<ResultColumn> ResultColumns,
    int EffectiveLimit,
    IReadOnlyList<string> Notices)
{
    /// <summary>True when the query satisfies the policy.</summary>
    public bool IsValid => Violations.Count == 0 && Query is not null;
}
