namespace AstralytiQ.QueryEngine.Sql;

/// <summary>
/// The only exception the parser throws: the text is not a query the engine accepts. It carries
/// the position (offset, line, column), what was expected and what was found, and a message
/// that shows the source line with a caret under the spot.
/// </summary>
public sealed class SqlSyntaxException : Exception
{
    /// <summary>Creates the exception for a spot in <paramref name="source"/>.</summary>
    /// <param name="code">The refusal category.</param>
    /// <param name="reason">One-line description of the problem, without position.</param>
    /// <param name="source">The full source text.</param>
    /// <param name="span">Where the problem is.</param>
    /// <param name="expected">What the parser expected there, if that is meaningful.</param>
    /// <param name="found">What the parser found there.</param>
    public SqlSyntaxException(SqlErrorCode code, string reason, string source, SourceSpan span, string? expected = null, string? found = null)
        : base(Describe(reason, source, span))
    {
        ArgumentNullException.ThrowIfNull(source);
        Code = code;
        Reason = reason;
        Span = span;
        Expected = expected;
        Found = found;
        (Line, Column) = span.LineAndColumn(source);
        Snippet = SourceSnippet.Format(source, span);
    }

    /// <summary>The refusal category (<see cref="SqlErrorCode.Syntax"/> for plain grammar errors).</summary>
    public SqlErrorCode Code { get; }

    /// <summary>The problem in one line, without position.</summary>
    public string Reason { get; }

    /// <summary>Where the problem is.</summary>
    public SourceSpan Span { get; }

    /// <summary>Zero-based character offset of the problem.</summary>
    public int Offset => Span.Offset;

    /// <summary>Number of characters of the offending token (0 at end of input).</summary>
    public int Length => Span.Length;

    /// <summary>1-based line of the problem.</summary>
    public int Line { get; }

    /// <summary>1-based column of the problem.</summary>
    public int Column { get; }

    /// <summary>What the parser expected, e.g. <c>FROM</c> or <c>an expression</c>; null when not applicable.</summary>
    public string? Expected { get; }

    /// <summary>What the parser found, e.g. <c>"FORM"</c> or <c>end of input</c>.</summary>
    public string? Found { get; }

    /// <summary>The source line and a caret line under the spot.</summary>
    public string Snippet { get; }

    private static string Describe(string reason, string source, SourceSpan span)
    {
        var (line, column) = span.LineAndColumn(source ?? string.Empty);
        return $"{reason} (line {line}, column {column})\n{SourceSnippet.Format(source ?? string.Empty, span)}";
    }
}
