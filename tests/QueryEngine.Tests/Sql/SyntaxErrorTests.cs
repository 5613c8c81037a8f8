using System.Diagnostics;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Tests.Sql;

public sealed class SyntaxErrorTests
{
    private static SqlSyntaxException Error(string sql) => Assert.Throws<SqlSyntaxException>(() => SqlParser.Parse(sql));

    [Fact]
    public void Misspelled_keyword_reports_line_column_expected_found_and_a_caret()
    {
        var ex = Error("SELECT region, amount\nFORM sales");
        Assert.Equal(SqlErrorCode.Syntax, ex.Code);
        Assert.Equal(2, ex.Line);
        Assert.Equal(6, ex.Column);
        Assert.Equal("end of query", ex.Expected);
        Assert.Equal("\"sales\"", ex.Found);
        Assert.Equal("2 | FORM sales\n  |      ^^^^^", ex.Snippet);
        Assert.Contains("(line 2, column 6)", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("2 | FORM sales\n  |      ^^^^^", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_expression_names_what_was_expected()
    {
        var ex = Error("SELECT a FROM t WHERE");
        Assert.Equal("an expression", ex.Expected);
        Assert.Equal("end of input", ex.Found);
        Assert.Equal(1, ex.Line);
        Assert.Equal(22, ex.Column);
        Assert.Equal(21, ex.Offset);
        Assert.Equal("syntax error: expected an expression, found end of input", ex.Reason);
    }

    [Fact]
    public void Unclosed_parenthesis_points_at_the_end()
    {
        var ex = Error("SELECT (a + 1 FROM t");
        Assert.Equal(")", ex.Expected);
        Assert.Equal("\"FROM\"", ex.Found);
        Assert.Equal(15, ex.Column);
    }

    [Fact]
    public void Unterminated_string_is_reported_where_it_starts()
    {
        var ex = Error("SELECT a\nFROM t WHERE b = 'oops");
        Assert.Equal("unterminated string literal", ex.Reason);
        Assert.Equal(2, ex.Line);
        Assert.Equal(18, ex.Column);
        Assert.StartsWith("2 | FROM t WHERE b = 'oops\n  |                  ^", ex.Snippet, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT \"\" FROM t", "zero-length quoted identifier")]
    [InlineData("SELECT \"abc FROM t", "unterminated quoted identifier")]
    [InlineData("SELECT 1 /* never closed", "unterminated /* comment")]
    [InlineData("SELECT 12abc", "trailing junk after numeric literal \"12abc\"")]
    [InlineData("SELECT a FROM t WHERE a @> b", "operator \"@>\" is not supported")]
    [InlineData("SELECT a FROM t WHERE a = E'\\u12'", "invalid Unicode escape: \\u needs 4 and \\U needs 8 hex digits")]
    [InlineData("SELECT a FROM t WHERE a = E'\\0'", "string literals cannot contain the NUL character")]
    [InlineData("SELECT a FROM t ORDER BY", "syntax error: expected an expression, found end of input")]
    [InlineData("SELECT a b c FROM t", "syntax error: expected end of query, found \"c\"")]
    [InlineData("", "empty query: expected a SELECT statement")]
    [InlineData("SELECT CASE END", "syntax error: expected an expression, found \"END\"")]
    [InlineData("SELECT * FROM a JOIN b", "syntax error: expected ON or USING, found end of input")]
    public void Lexical_and_grammar_errors_say_what_is_wrong(string sql, string reason) =>
        Assert.Equal(reason, Error(sql).Reason);

    [Fact]
    public void A_second_statement_is_refused_as_not_allowed()
    {
        var ex = Error("SELECT 1;\n  DROP TABLE sales");
        Assert.Equal(SqlErrorCode.StatementNotAllowed, ex.Code);
        Assert.Equal("only one statement is allowed", ex.Reason);
        Assert.Equal(2, ex.Line);
        Assert.Equal(3, ex.Column);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_a_clean_error_not_a_stack_overflow()
    {
        var deep = "SELECT " + new string('(', 5000) + "1" + new string(')', 5000);
        var ex = Error(deep);
        Assert.Equal(SqlErrorCode.TooComplex, ex.Code);
        Assert.Contains("nested too deeply", ex.Reason, StringComparison.Ordinal);

        var nots = "SELECT " + string.Concat(Enumerable.Repeat("NOT ", 10_000)) + "TRUE";
        Assert.Equal(SqlErrorCode.TooComplex, Error(nots).Code);

        var subqueries = string.Concat(Enumerable.Repeat("SELECT * FROM (", 3000)) + "SELECT 1" + string.Concat(Enumerable.Repeat(") s", 3000));
        Assert.Equal(SqlErrorCode.TooComplex, Error(subqueries).Code);

        var minus = "SELECT " + string.Concat(Enumerable.Repeat("- ", 10_000)) + "1";
        Assert.Equal(SqlErrorCode.TooComplex, Error(minus).Code);
    }

    [Fact]
    public void Nesting_within_the_limit_parses()
    {
        var sql = "SELECT " + new string('(', 60) + "1" + new string(')', 60);
        Assert.Equal("SELECT 1", SqlRenderer.Render(SqlParser.Parse(sql)));
    }

    [Fact]
    public void Long_flat_operator_chains_parse_without_recursion_limits()
    {
        var sql = "SELECT " + string.Join(" + ", Enumerable.Repeat("1", 20_000));
        var sw = Stopwatch.StartNew();
        var q = SqlParser.Parse(sql);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
        Assert.IsType<BinaryExpr>(((ExpressionItem)((SelectCore)q.Body).Items[0]).Expr);
    }

    [Fact]
    public void Very_long_lines_show_a_window_around_the_error()
    {
        var sql = "SELECT " + string.Join(", ", Enumerable.Range(0, 100).Select(i => "c" + i)) + " FROM t WHERE )";
        var ex = Error(sql);
        var lines = ex.Snippet.Split('\n');
        Assert.True(lines[0].Length < 130);
        Assert.Equal(lines[0].IndexOf(")", StringComparison.Ordinal), lines[1].IndexOf('^', StringComparison.Ordinal));
    }
}
