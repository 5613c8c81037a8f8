using AstralytiQ.Server.Features.Datasets.Reading;
using AstralytiQ.Server.Features.Datasets.Transforms;
using AstralytiQ.Server.Features.Datasets.Typing;

namespace AstralytiQ.Server.Tests.Datasets;

public sealed class ReadingUnitTests
{
    [Theory]
    [InlineData("42", SqlType.Integer)]
    [InlineData("-2147483649", SqlType.BigInt)]
    [InlineData("3.14", SqlType.Numeric)]
    [InlineData("6.02e23", SqlType.Double)]
    [InlineData("007", SqlType.Text)]
    [InlineData("true", SqlType.Boolean)]
    [InlineData("2024-02-29", SqlType.Date)]
    [InlineData("2023-02-29", SqlType.Text)]
    [InlineData("2024-02-29 13:45", SqlType.Timestamp)]
    [InlineData("2024-02-29T13:45:00.123Z", SqlType.TimestampTz)]
    [InlineData("12/31/2024", SqlType.Date)]
    [InlineData("1/2/2024 1:30 PM", SqlType.Timestamp)]
    [InlineData("1,5", SqlType.Text)]
    public void A_single_value_infers_its_narrowest_type(string value, SqlType expected)
    {
        var column = new ColumnInference();
        column.Observe(value, FieldKind.Raw, 2);

        Assert.Equal(expected, column.Resolve().Type);
    }

    [Theory]
    [InlineData(new[] { "1", "2" }, SqlType.Integer)]
    [InlineData(new[] { "1", "3000000000" }, SqlType.BigInt)]
    [InlineData(new[] { "1", "2.5" }, SqlType.Numeric)]
    [InlineData(new[] { "1.5", "1e10" }, SqlType.Double)]
    [InlineData(new[] { "2024-01-01", "2024-01-01 10:00" }, SqlType.Timestamp)]
    [InlineData(new[] { "2024-01-01 10:00", "2024-01-01T10:00+02:00" }, SqlType.TimestampTz)]
    [InlineData(new[] { "1", "x" }, SqlType.Text)]
    [InlineData(new[] { "true", "1" }, SqlType.Text)]
    public void A_column_widens_when_a_later_value_does_not_fit(string[] values, SqlType expected)
    {
        var column = new ColumnInference();
        foreach (var value in values)
        {
            column.Observe(value, FieldKind.Raw, 2);
        }

        Assert.Equal(expected, column.Resolve().Type);
    }

    [Fact]
    public void Day_first_dates_are_recognised_by_a_day_over_twelve_and_ambiguous_ones_read_month_first()
    {
        var dayFirst = new ColumnInference();
        dayFirst.Observe("03/04/2024", FieldKind.Raw, 2);
        dayFirst.Observe("25/04/2024", FieldKind.Raw, 3);
        var ambiguous = new ColumnInference();
        ambiguous.Observe("03/04/2024", FieldKind.Raw, 2);

        Assert.Equal((SqlType.Date, DateOrder.Dmy, false), dayFirst.Resolve());
        Assert.Equal((SqlType.Date, DateOrder.Mdy, true), ambiguous.Resolve());
    }

    [Fact]
    public void Csv_reader_handles_quotes_newlines_crlf_blank_lines_and_reports_lines()
    {
        var text = "a,b\r\n\"x, \"\"y\"\"\",\"multi\nline\"\r\n\r\nlast,\n";
        using var reader = new CsvRecordReader(new StringReader(text), ',', '"', bufferChars: 8);
        var records = new List<(long Line, string[] Fields)>();
        while (reader.Read())
        {
            records.Add((reader.Line, Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()).ToArray()));
        }

        Assert.Equal([1L, 2L, 5L], records.Select(r => r.Line));
        Assert.Equal(["x, \"y\"", "multi\nline"], records[1].Fields);
        Assert.Equal(["last", ""], records[2].Fields);
    }

    [Fact]
    public void Csv_reader_recovers_after_an_unterminated_quote_at_the_next_line()
    {
        using var reader = new CsvRecordReader(new StringReader("1,\"open\n2,ok\n"), ',', '"', bufferChars: 4);

        Assert.True(reader.Read());
        Assert.Contains("unterminated quote", reader.Error, StringComparison.Ordinal);
        Assert.True(reader.Read());
        Assert.Null(reader.Error);
        Assert.Equal((2L, "ok"), (reader.Line, reader[1].ToString()));
        Assert.False(reader.Read());
    }

    [Theory]
    [InlineData("Order ID", "order_id")]
    [InlineData("  Prix (€) ", "prix")]
    [InlineData("Crème Brûlée", "creme_brulee")]
    [InlineData("2024", "c_2024")]
    [InlineData("select", "select_")]
    [InlineData("Discount %", "discount_pct")]
    [InlineData("\"; DROP TABLE x; --", "drop_table_x")]
    public void Labels_become_safe_identifiers(string label, string expected)
    {
        var name = ColumnNames.Normalise(label, "column_1");

        Assert.True(ColumnNames.IsValid(name), name);
        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("a > 1 AND b = 'x'", "((\"a\" > @p0) AND (\"b\" = @p1))")]
    [InlineData("NOT a IS NULL OR b IN ('x', 'y')", "((NOT (\"a\" IS NULL)) OR (\"b\" IN (@p0, @p1)))")]
    [InlineData("year(d) BETWEEN 2020 AND 2024", "(extract(year from \"d\")::int BETWEEN @p0 AND @p1)")]
    [InlineData("\"Original Label\" * -2", "(\"a\" * (- @p0))")]
    public void Expressions_compile_to_sql_with_quoted_columns_and_parameters(string expression, string sql)
    {
        var parameters = new List<SqlParameter>();
        var columns = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["a"] = "a", ["b"] = "b", ["d"] = "d", ["Original Label"] = "a" };

        Assert.Equal(sql, new ExpressionCompiler(columns, parameters).Compile(expression));
    }

    [Theory]
    [InlineData("a >", "the expression ends too early", 4)]
    [InlineData("a = 1; DELETE", "unexpected character ';'", 6)]
    [InlineData("a = 'open", "unterminated string", 5)]
    [InlineData("current_user = 'x'", "unknown column 'current_user'", 1)]
    [InlineData("a = (SELECT 1)", "unexpected 'SELECT'", 6)]
    public void Anything_outside_the_grammar_is_an_error_with_a_position(string expression, string message, int position)
    {
        var compiler = new ExpressionCompiler(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["a"] = "a" }, []);

        var error = Assert.Throws<ExpressionException>(() => compiler.Compile(expression));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }
}
