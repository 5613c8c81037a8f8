namespace AstralytiQ.Server.Features.Query;

/// <summary>How a result column's values are carried.</summary>
public enum ValueKind
{
    /// <summary><c>bool</c>.</summary>
    Bool,

    /// <summary><c>long</c> (smallint, integer, bigint, oid).</summary>
    Int64,

    /// <summary><c>double</c> (real, double precision), including NaN and infinities.</summary>
    Double,

    /// <summary>Exact decimal text as PostgreSQL prints it (numeric, money), so no precision is lost.</summary>
    Decimal,

    /// <summary>Text; also every type without a kind of its own (time, interval, uuid, json, arrays, ...), as PostgreSQL prints it.</summary>
    String,

    /// <summary><see cref="DateOnly"/>; dates .NET cannot hold (infinity, BC, past 9999) stay text.</summary>
    Date,

    /// <summary><see cref="DateTime"/> in UTC (timestamp without time zone is read as UTC wall time); others stay text.</summary>
    Timestamp,
}

/// <summary>A result column.</summary>
/// <param name="Name">The name PostgreSQL gave it.</param>
/// <param name="Kind">How its values are carried.</param>
/// <param name="DatabaseType">PostgreSQL's type name, e.g. <c>integer</c>, <c>timestamp with time zone</c>.</param>
public sealed record QueryColumn(string Name, ValueKind Kind, string DatabaseType);

/// <summary>
/// Rows of a query. A value is null, or of the CLR type its column's <see cref="ValueKind"/> names:
/// bool, long, double, string (decimal, text), <see cref="DateOnly"/> or <see cref="DateTime"/>;
/// date and timestamp values .NET cannot represent are the string PostgreSQL printed.
/// </summary>
/// <param name="Columns">The columns.</param>
/// <param name="Rows">The rows, each with one value per column.</param>
/// <param name="Truncated">True when the row cap or the byte cap cut the result short.</param>
/// <param name="ExecutionTime">Time spent in PostgreSQL and reading rows.</param>
/// <param name="ComputedAt">When the rows were read from the database.</param>
/// <param name="Bytes">The size counted against the byte cap.</param>
public sealed record QueryResult(
    IReadOnlyList<QueryColumn> Columns,
    IReadOnlyList<object?[]> Rows,
    bool Truncated,
    TimeSpan ExecutionTime,
    DateTime ComputedAt,
    long Bytes);

/// <summary>Caps that apply to one execution.</summary>
/// <param name="MaxRows">Most rows returned.</param>
/// <param name="MaxBytes">Most bytes of values returned.</param>
/// <param name="StatementTimeout">PostgreSQL statement_timeout.</param>
/// <param name="WorkMemKilobytes">PostgreSQL work_mem.</param>
public sealed record QueryLimits(int MaxRows, int MaxBytes, TimeSpan StatementTimeout, int WorkMemKilobytes)
{
    public static QueryLimits From(QueryOptions options) =>
        new(options.MaxRows, options.MaxResultBytes, options.StatementTimeout, options.WorkMemKilobytes);
}
