using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Tests.Sql;

public sealed class ParserTests
{
    private static Query Parse(string sql) => SqlParser.Parse(sql);

    private static SelectCore Core(string sql) => Assert.IsType<SelectCore>(Parse(sql).Body);

    private static string Canon(string sql) => SqlRenderer.Render(Parse(sql));

    [Theory]
    [InlineData("1 + 2 * 3", "(Add 1 (Multiply 2 3))")]
    [InlineData("1 - 2 - 3", "(Subtract (Subtract 1 2) 3)")]
    [InlineData("2 ^ 3 ^ 2", "(Power (Power 2 3) 2)")]
    [InlineData("-2 ^ 2", "(Power (Negate 2) 2)")]
    [InlineData("a OR b AND c", "(Or a (And b c))")]
    [InlineData("NOT a = b", "(Not (Equal a b))")]
    [InlineData("NOT a AND b", "(And (Not a) b)")]
    [InlineData("a = b IS NULL", "(IsNull (Equal a b))")]
    [InlineData("a IS NOT NULL AND b ISNULL", "(And (IsNotNull a) (IsNull b))")]
    [InlineData("a || b = c", "(Equal (Concat a b) c)")]
    [InlineData("a + 1 < b * 2", "(Less (Add a 1) (Multiply b 2))")]
    [InlineData("a BETWEEN 1 AND 2 AND c", "(And (Between a 1 2) c)")]
    [InlineData("a NOT BETWEEN SYMMETRIC 1 + 1 AND 5", "(NotBetweenSym a (Add 1 1) 5)")]
    [InlineData("a LIKE 'x' || '%' ESCAPE '!'", "(Like a (Concat 'x' '%') '!')")]
    [InlineData("a NOT ILIKE 'x%'", "(NotILike a 'x%')")]
    [InlineData("a SIMILAR TO 'x'", "(SimilarTo a 'x')")]
    [InlineData("x::int + 1", "(Add (Cast x integer) 1)")]
    [InlineData("-x::int", "(Negate (Cast x integer))")]
    [InlineData("a IN (1, 2, 3)", "(In a [1 2 3])")]
    [InlineData("a NOT IN ('x')", "(NotIn a ['x'])")]
    [InlineData("a IS DISTINCT FROM b", "(Distinct a b)")]
    [InlineData("a IS NOT DISTINCT FROM b + 1", "(NotDistinct a (Add b 1))")]
    [InlineData("a IS TRUE OR b IS NOT FALSE OR c IS UNKNOWN", "(Or (Or (IsTrue a) (IsNotFalse b)) (IsUnknown c))")]
    [InlineData("ts AT TIME ZONE 'UTC' < now()", "(Less (AtTimeZone ts 'UTC') now())")]
    [InlineData("a % 2 = 0", "(Equal (Modulo a 2) 0)")]
    [InlineData("a ~ 'x' AND b !~* 'y'", "(And (RegexMatch a 'x') (NotRegexIMatch b 'y'))")]
    [InlineData("a<-1", "(Less a (Negate 1))")]
    [InlineData("((a))", "a")]
    public void Operators_follow_PostgreSQL_precedence(string expression, string expected) =>
        Assert.Equal(expected, Sx.Of(expression));

    [Fact]
    public void Select_with_distinct_on_where_group_having_order_limit_offset_parses()
    {
        var q = Parse("SELECT DISTINCT ON (region) region, sum(amount) AS total FROM sales WHERE amount > 0 GROUP BY region HAVING sum(amount) > 10 ORDER BY region ASC NULLS LAST, total DESC NULLS FIRST LIMIT 10 OFFSET 5;");
        var core = Assert.IsType<SelectCore>(q.Body);
        Assert.Single(core.Distinct!.On);
        Assert.Equal(2, core.Items.Count);
        Assert.Equal("total", ((ExpressionItem)core.Items[1]).Alias!.Name);
        Assert.NotNull(core.Where);
        Assert.Single(core.GroupBy);
        Assert.NotNull(core.Having);
        Assert.Equal(new OrderItem(new ColumnRef(QualifiedName.Of("region")), SortDirection.Ascending, NullsOrder.Last).Direction, q.OrderBy[0].Direction);
        Assert.Equal(NullsOrder.First, q.OrderBy[1].Nulls);
        Assert.Equal("10", ((NumericLiteral)q.Limit!).Text);
        Assert.Equal("5", ((NumericLiteral)q.Offset!).Text);
    }

    [Fact]
    public void Plain_distinct_and_select_all_parse()
    {
        Assert.Empty(Core("SELECT DISTINCT a FROM t").Distinct!.On);
        Assert.Null(Core("SELECT ALL a FROM t").Distinct);
    }

    [Fact]
    public void Fetch_first_rows_only_is_a_limit()
    {
        var q = Parse("SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY");
        Assert.Equal("3", ((NumericLiteral)q.Limit!).Text);
        Assert.Equal("2", ((NumericLiteral)q.Offset!).Text);
        Assert.Equal("SELECT \"a\" FROM \"t\" LIMIT 3 OFFSET 2", SqlRenderer.Render(q));
        Assert.Equal("1", ((NumericLiteral)Parse("SELECT a FROM t FETCH NEXT ROW ONLY").Limit!).Text);
        Assert.True(Parse("SELECT a FROM t ORDER BY a FETCH FIRST 2 ROWS WITH TIES").WithTies);
    }

    [Fact]
    public void With_clause_parses_ctes_with_column_lists_and_materialization()
    {
        var q = Parse("WITH a (x, y) AS (SELECT 1, 2), b AS NOT MATERIALIZED (SELECT x FROM a) SELECT * FROM b");
        Assert.False(q.With!.Recursive);
        Assert.Equal(2, q.With.Ctes.Count);
        Assert.Equal(["x", "y"], q.With.Ctes[0].Columns.Select(c => c.Name));
        Assert.False(q.With.Ctes[1].Materialized);
    }

    [Fact]
    public void With_recursive_parses_so_that_the_policy_can_refuse_it()
    {
        var q = Parse("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r");
        Assert.True(q.With!.Recursive);
        Assert.IsType<SetOperation>(q.With.Ctes[0].Query.Body);
    }

    [Fact]
    public void Set_operations_bind_intersect_tighter_and_associate_left()
    {
        var u = Assert.IsType<SetOperation>(Parse("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3").Body);
        Assert.Equal(SetOperator.Union, u.Operator);
        Assert.Equal(SetOperator.Intersect, Assert.IsType<SetOperation>(u.Right).Operator);

        var e = Assert.IsType<SetOperation>(Parse("SELECT 1 EXCEPT ALL SELECT 2 UNION SELECT 3").Body);
        Assert.Equal(SetOperator.Union, e.Operator);
        var left = Assert.IsType<SetOperation>(e.Left);
        Assert.Equal(SetOperator.Except, left.Operator);
        Assert.True(left.All);
    }

    [Fact]
    public void Parenthesised_set_operands_keep_their_own_order_and_limit()
    {
        var q = Parse("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u) ORDER BY 1");
        var op = Assert.IsType<SetOperation>(q.Body);
        var nested = Assert.IsType<NestedQuery>(op.Left);
        Assert.Equal("1", ((NumericLiteral)nested.Query.Limit!).Text);
        Assert.IsType<SelectCore>(op.Right);
        Assert.Single(q.OrderBy);
        Assert.Equal("(SELECT \"a\" FROM \"t\" ORDER BY \"a\" LIMIT 1) UNION ALL SELECT \"b\" FROM \"u\" ORDER BY 1", SqlRenderer.Render(q));
        Assert.Equal("SELECT 1 UNION (SELECT 2 UNION SELECT 3)", Canon("SELECT 1 UNION (SELECT 2 UNION SELECT 3)"));
        Assert.Equal("SELECT 1 UNION SELECT 2 UNION SELECT 3", Canon("(SELECT 1 UNION SELECT 2) UNION SELECT 3"));
    }

    [Theory]
    [InlineData("SELECT * FROM a JOIN b ON a.x = b.x", JoinKind.Inner)]
    [InlineData("SELECT * FROM a INNER JOIN b ON a.x = b.x", JoinKind.Inner)]
    [InlineData("SELECT * FROM a LEFT JOIN b ON a.x = b.x", JoinKind.Left)]
    [InlineData("SELECT * FROM a LEFT OUTER JOIN b ON a.x = b.x", JoinKind.Left)]
    [InlineData("SELECT * FROM a RIGHT OUTER JOIN b USING (x)", JoinKind.Right)]
    [InlineData("SELECT * FROM a FULL JOIN b USING (x, y)", JoinKind.Full)]
    [InlineData("SELECT * FROM a CROSS JOIN b", JoinKind.Cross)]
    [InlineData("SELECT * FROM a NATURAL LEFT JOIN b", JoinKind.Left)]
    public void Joins_of_every_kind_parse(string sql, JoinKind kind)
    {
        var j = Assert.IsType<JoinedTable>(Assert.Single(Core(sql).From));
        Assert.Equal(kind, j.Kind);
        Assert.Equal(sql.Contains("USING", StringComparison.Ordinal), j.Using.Count > 0);
        Assert.Equal(sql.Contains("NATURAL", StringComparison.Ordinal), j.Natural);
        Assert.Equal(sql.Contains(" ON ", StringComparison.Ordinal), j.On is not null);
    }

    [Fact]
    public void Joins_chain_left_and_parenthesised_joins_nest_right()
    {
        var j = Assert.IsType<JoinedTable>(Assert.Single(Core("SELECT * FROM a JOIN b ON TRUE LEFT JOIN c ON TRUE").From));
        Assert.Equal(JoinKind.Left, j.Kind);
        Assert.IsType<JoinedTable>(j.Left);

        var nested = Assert.IsType<JoinedTable>(Assert.Single(Core("SELECT * FROM a JOIN (b JOIN c ON TRUE) ON TRUE").From));
        Assert.IsType<JoinedTable>(nested.Right);
        Assert.Equal("SELECT * FROM \"a\" JOIN (\"b\" JOIN \"c\" ON TRUE) ON TRUE", Canon("SELECT * FROM a JOIN (b JOIN c ON TRUE) ON TRUE"));
    }

    [Fact]
    public void Comma_joins_derived_tables_and_aliases_parse()
    {
        var core = Core("SELECT * FROM a AS x (p, q), b y, (SELECT 1 AS one) AS d (uno), ((SELECT 2) UNION (SELECT 3)) AS e");
        Assert.Equal(4, core.From.Count);
        var a = Assert.IsType<NamedTable>(core.From[0]);
        Assert.Equal("x", a.Alias!.Name.Name);
        Assert.Equal(2, a.Alias.Columns.Count);
        Assert.Equal("y", ((NamedTable)core.From[1]).Alias!.Name.Name);
        Assert.Equal("uno", ((DerivedTable)core.From[2]).Alias!.Columns[0].Name);
        Assert.IsType<SetOperation>(((DerivedTable)core.From[3]).Query.Body);
    }

    [Fact]
    public void Subqueries_in_expressions_parse()
    {
        var core = Core("SELECT (SELECT max(x) FROM t) AS m FROM u WHERE EXISTS (SELECT 1 FROM v) AND NOT EXISTS (SELECT 1 FROM w) AND a IN (SELECT b FROM x) AND c NOT IN (SELECT d FROM y) AND e > ALL (SELECT f FROM z) AND g = ANY ((SELECT 1) UNION (SELECT 2))");
        Assert.IsType<SubqueryExpr>(((ExpressionItem)core.Items[0]).Expr);
        var text = SqlRenderer.Render(Parse(SqlRenderer.Render(new Query(core))));
        Assert.Contains("EXISTS (SELECT 1 FROM \"v\")", text, StringComparison.Ordinal);
        Assert.Contains("NOT EXISTS", text, StringComparison.Ordinal);
        Assert.Contains("\"a\" IN (SELECT \"b\" FROM \"x\")", text, StringComparison.Ordinal);
        Assert.Contains("\"c\" NOT IN (SELECT", text, StringComparison.Ordinal);
        Assert.Contains("\"e\" > ALL (SELECT", text, StringComparison.Ordinal);
        Assert.Contains("\"g\" = ANY (SELECT 1 UNION SELECT 2)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parenthesised_subquery_inside_an_expression_stays_an_expression()
    {
        Assert.Equal("(Multiply (Add (SELECT 1) 1) 2)", Sx.Of("((SELECT 1) + 1) * 2"));
        Assert.IsType<InSubqueryExpr>(SqlParser.ParseExpression("a IN ((SELECT 1))"));
    }

    [Fact]
    public void Case_and_casts_parse_with_their_types()
    {
        var searched = Assert.IsType<CaseExpr>(SqlParser.ParseExpression("CASE WHEN a > 1 THEN 'big' WHEN a > 0 THEN 'small' ELSE 'none' END"));
        Assert.Null(searched.Operand);
        Assert.Equal(2, searched.Whens.Count);
        var simple = Assert.IsType<CaseExpr>(SqlParser.ParseExpression("CASE a WHEN 1 THEN 'one' END"));
        Assert.NotNull(simple.Operand);
        Assert.Null(simple.Else);

        Assert.Equal("CAST(\"a\" AS numeric(10, 2))", SqlRenderer.RenderExpression(SqlParser.ParseExpression("CAST(a AS decimal(10,2))")));
        Assert.Equal("CAST(\"a\" AS double precision)", SqlRenderer.RenderExpression(SqlParser.ParseExpression("a::float8")));
        Assert.Equal("CAST(\"a\" AS varchar(20))", SqlRenderer.RenderExpression(SqlParser.ParseExpression("a::character varying(20)")));
        Assert.Equal("CAST(\"a\" AS timestamp with time zone)", SqlRenderer.RenderExpression(SqlParser.ParseExpression("a::timestamptz")));
        Assert.Equal("CAST(\"a\" AS integer[])", SqlRenderer.RenderExpression(SqlParser.ParseExpression("a::int[]")));
        Assert.Equal("CAST(CAST(\"a\" AS text) AS integer)", SqlRenderer.RenderExpression(SqlParser.ParseExpression("a::text::int")));
    }

    [Fact]
    public void Window_functions_parse_partition_order_frames_and_named_windows()
    {
        var f = Assert.IsType<FunctionCall>(SqlParser.ParseExpression("sum(x) OVER (PARTITION BY a, b ORDER BY c DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"));
        Assert.Equal(2, f.Over!.PartitionBy.Count);
        Assert.Equal(FrameUnit.Rows, f.Over.Frame!.Unit);
        Assert.Equal(FrameBoundKind.UnboundedPreceding, f.Over.Frame.Start.Kind);
        Assert.Equal(FrameBoundKind.CurrentRow, f.Over.Frame.End!.Kind);

        var r = Assert.IsType<FunctionCall>(SqlParser.ParseExpression("avg(x) OVER (ORDER BY d RANGE BETWEEN 1 PRECEDING AND 2 FOLLOWING EXCLUDE TIES)"));
        Assert.Equal(FrameBoundKind.Preceding, r.Over!.Frame!.Start.Kind);
        Assert.Equal(FrameExclusion.Ties, r.Over.Frame.Exclusion);
        Assert.Equal(FrameUnit.Groups, ((FunctionCall)SqlParser.ParseExpression("count(*) OVER (ORDER BY d GROUPS 1 PRECEDING)")).Over!.Frame!.Unit);

        var core = Core("SELECT rank() OVER w, lag(x, 1) OVER (w ORDER BY y) FROM t WINDOW w AS (PARTITION BY z)");
        Assert.Equal("w", Assert.Single(core.Windows).Name.Name);
        Assert.True(((FunctionCall)((ExpressionItem)core.Items[0]).Expr).Over!.IsReferenceOnly);
        Assert.Equal("SELECT rank() OVER \"w\", lag(\"x\", 1) OVER (\"w\" ORDER BY \"y\") FROM \"t\" WINDOW \"w\" AS (PARTITION BY \"z\")", SqlRenderer.Render(new Query(core)));
    }

    [Fact]
    public void Aggregate_forms_parse_count_star_distinct_filter_order_and_within_group()
    {
        Assert.True(((FunctionCall)SqlParser.ParseExpression("count(*)")).Star);
        Assert.True(((FunctionCall)SqlParser.ParseExpression("count(DISTINCT x)")).Distinct);
        var agg = (FunctionCall)SqlParser.ParseExpression("string_agg(name, ', ' ORDER BY name DESC) FILTER (WHERE x > 0)");
        Assert.Equal(2, agg.Args.Count);
        Assert.Single(agg.OrderBy);
        Assert.NotNull(agg.Filter);
        var pct = (FunctionCall)SqlParser.ParseExpression("percentile_cont(0.5) WITHIN GROUP (ORDER BY x)");
        Assert.Single(pct.WithinGroup);
        Assert.Equal("string_agg(\"name\", ', ' ORDER BY \"name\" DESC) FILTER (WHERE \"x\" > 0)", SqlRenderer.RenderExpression(agg));
    }

    [Fact]
    public void Special_function_syntax_maps_to_plain_calls()
    {
        Assert.Equal("EXTRACT(YEAR FROM \"d\")", SqlRenderer.RenderExpression(SqlParser.ParseExpression("extract(year from d)")));
        Assert.Equal("strpos(\"b\", 'x')", SqlRenderer.RenderExpression(SqlParser.ParseExpression("position('x' in b)")));
        Assert.Equal("substring(\"s\", 2, 3)", SqlRenderer.RenderExpression(SqlParser.ParseExpression("substring(s from 2 for 3)")));
        Assert.Equal("ltrim(\"s\", 'x')", SqlRenderer.RenderExpression(SqlParser.ParseExpression("trim(leading 'x' from s)")));
        Assert.Equal("btrim(\"s\")", SqlRenderer.RenderExpression(SqlParser.ParseExpression("trim(s)")));
        Assert.Equal("left(\"s\", 3)", SqlRenderer.RenderExpression(SqlParser.ParseExpression("LEFT(s, 3)")));
        Assert.Equal("CURRENT_DATE - interval '7 days'", SqlRenderer.RenderExpression(SqlParser.ParseExpression("current_date - interval '7 days'")));
        Assert.Equal("coalesce(\"a\", nullif(\"b\", 0), greatest(1, 2), least(3, 4))", SqlRenderer.RenderExpression(SqlParser.ParseExpression("COALESCE(a, NULLIF(b, 0), GREATEST(1, 2), LEAST(3, 4))")));
    }

    [Theory]
    [InlineData("'it''s'", "it's")]
    [InlineData("E'a\\nb'", "a\nb")]
    [InlineData("E'it\\'s'", "it's")]
    [InlineData("e'back\\\\slash'", "back\\slash")]
    [InlineData("E'\\x41\\101\\u00e9\\U0001F600'", "AAé😀")]
    [InlineData("''", "")]
    public void String_literals_decode_quotes_and_escapes(string literal, string value) =>
        Assert.Equal(value, Assert.IsType<StringLiteral>(SqlParser.ParseExpression(literal)).Value);

    [Fact]
    public void Strings_with_backslashes_render_as_escape_strings_that_mean_the_same_everywhere()
    {
        Assert.Equal("E'a\\\\b''c'", SqlRenderer.RenderExpression(new StringLiteral("a\\b'c")));
        Assert.Equal("'a''b'", SqlRenderer.RenderExpression(new StringLiteral("a'b")));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("3.14")]
    [InlineData(".5")]
    [InlineData("1e10")]
    [InlineData("1.5E-3")]
    [InlineData("7.")]
    public void Numeric_literals_keep_their_text(string text) =>
        Assert.Equal(text, Assert.IsType<NumericLiteral>(SqlParser.ParseExpression(text)).Text);

    [Fact]
    public void Typed_boolean_and_null_literals_parse()
    {
        Assert.Equal("date", Assert.IsType<TypedLiteral>(SqlParser.ParseExpression("DATE '2020-01-01'")).Type.Name);
        Assert.Equal("timestamp", Assert.IsType<TypedLiteral>(SqlParser.ParseExpression("TIMESTAMP '2020-01-01 10:00'")).Type.Name);
        Assert.Equal("timestamp with time zone", Assert.IsType<TypedLiteral>(SqlParser.ParseExpression("TIMESTAMP WITH TIME ZONE '2020-01-01 10:00+02'")).Type.Name);
        Assert.Equal("1 day", Assert.IsType<TypedLiteral>(SqlParser.ParseExpression("INTERVAL '1 day'")).Value);
        Assert.True(Assert.IsType<BooleanLiteral>(SqlParser.ParseExpression("TRUE")).Value);
        Assert.False(Assert.IsType<BooleanLiteral>(SqlParser.ParseExpression("false")).Value);
        Assert.IsType<NullLiteral>(SqlParser.ParseExpression("NULL"));
    }

    [Fact]
    public void Quoted_identifiers_keep_case_and_undo_doubled_quotes()
    {
        var c = Assert.IsType<ColumnRef>(SqlParser.ParseExpression("\"My \"\"Col\"\"\""));
        Assert.Equal("My \"Col\"", c.Name.Last.Name);
        Assert.True(c.Name.Last.IsQuoted);
        Assert.Equal("\"My \"\"Col\"\"\"", SqlRenderer.RenderExpression(c));
        Assert.Equal("\"mycol\"", SqlRenderer.RenderExpression(SqlParser.ParseExpression("MyCol")));
        Assert.Equal("\"select\"", SqlRenderer.RenderExpression(SqlParser.ParseExpression("\"select\"")));
    }

    [Fact]
    public void Comments_are_skipped_including_nested_block_comments()
    {
        var q = Parse("SELECT /* outer /* inner */ still comment */ a -- trailing\nFROM t -- end");
        Assert.Equal("SELECT \"a\" FROM \"t\"", SqlRenderer.Render(q));
    }

    [Fact]
    public void One_trailing_semicolon_is_accepted()
    {
        Assert.Equal("SELECT 1", SqlRenderer.Render(Parse("SELECT 1 ;  ")));
    }

    [Fact]
    public void Node_spans_point_at_the_source_text()
    {
        const string sql = "SELECT amount + 1 AS x\nFROM sales s";
        var core = Core(sql);
        var item = (ExpressionItem)core.Items[0];
        var bin = (BinaryExpr)item.Expr;
        Assert.Equal("amount", sql.Substring(bin.Left.Span.Offset, bin.Left.Span.Length));
        Assert.Equal("amount + 1", sql.Substring(bin.Span.Offset, bin.Span.Length));
        var table = (NamedTable)core.From[0];
        Assert.Equal("sales s", sql.Substring(table.Span.Offset, table.Span.Length));
        Assert.Equal((2, 6), table.Span.LineAndColumn(sql));
    }

    [Fact]
    public void Trees_built_in_code_render_like_parsed_ones()
    {
        var query = new Query(new SelectCore([
            new ExpressionItem(ColumnRef.Of("s", "region")),
            new ExpressionItem(FunctionCall.Of("sum", ColumnRef.Of("s", "amount")), new Identifier("total")),
        ])
        {
            From = [new NamedTable(QualifiedName.Of("sales"), new TableAlias(new Identifier("s")))],
            Where = new BinaryExpr(BinaryOperator.GreaterOrEqual, ColumnRef.Of("s", "sold_at"), new TypedLiteral(new TypeName("date"), "2024-01-01")),
            GroupBy = [ColumnRef.Of("s", "region")],
        })
        {
            OrderBy = [new OrderItem(ColumnRef.Of("total"), SortDirection.Descending)],
            Limit = new NumericLiteral(5),
        };
        var text = SqlRenderer.Render(query);
        Assert.Equal("SELECT \"s\".\"region\", sum(\"s\".\"amount\") AS \"total\" FROM \"sales\" AS \"s\" WHERE \"s\".\"sold_at\" >= date '2024-01-01' GROUP BY \"s\".\"region\" ORDER BY \"total\" DESC LIMIT 5", text);
        Assert.Equal(Sx.Dump(query), Sx.Dump(SqlParser.Parse(text)));
    }

    [Fact]
    public void Numeric_literal_refuses_text_that_is_not_a_number()
    {
        Assert.Throws<ArgumentException>(() => new NumericLiteral("1; DROP TABLE x"));
        Assert.Throws<ArgumentException>(() => new NumericLiteral("-1"));
    }

    [Fact]
    public void Keywords_match_ASCII_case_only_as_in_PostgreSQL()
    {
        // "ſ" (long s) upper-cases to "S" in Unicode, but PostgreSQL keywords are ASCII: this is a name.
        var c = Assert.IsType<ColumnRef>(SqlParser.ParseExpression("ſession_user"));
        Assert.Equal("ſession_user", c.Name.Last.Normalized);
        Assert.Equal(SqlErrorCode.Syntax, Assert.Throws<SqlSyntaxException>(() => SqlParser.Parse("ſELECT 1")).Code);
        Assert.IsType<SpecialValueExpr>(SqlParser.ParseExpression("Session_User"));
    }
}
