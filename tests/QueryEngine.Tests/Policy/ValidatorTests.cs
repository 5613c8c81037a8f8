using AstralytiQ.QueryEngine.Policy;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Tests.Policy;

public sealed class ValidatorTests
{
    private static PreparedQuery Prepare(string sql, QueryPolicy? policy = null) => SafeSql.Prepare(sql, DemoCatalog.Catalog, policy ?? DemoCatalog.Policy);

    private static PreparedQuery Ok(string sql, QueryPolicy? policy = null)
    {
        var p = Prepare(sql, policy);
        Assert.True(p.Succeeded, string.Join("\n", p.Errors));
        return p;
    }

    private static SqlError Refused(string sql, SqlErrorCode code, QueryPolicy? policy = null)
    {
        var p = Prepare(sql, policy);
        Assert.False(p.Succeeded, "expected a refusal for: " + sql);
        Assert.Null(p.ExecutableSql);
        var e = Assert.Single(p.Errors, e => e.Code == code);
        return e;
    }

    [Fact]
    public void Logical_names_are_bound_to_physical_tables_and_columns_are_qualified()
    {
        var p = Ok("select region, sum(amount) as total from sales group by region order by total desc");
        Assert.Equal("SELECT \"sales\".\"region\", sum(\"sales\".\"amount\") AS \"total\" FROM \"t_acme\".\"ds_12_v3\" AS \"sales\" GROUP BY \"sales\".\"region\" ORDER BY \"total\" DESC LIMIT 1000", p.ExecutableSql);
        Assert.Equal("SELECT \"sales\".\"region\", sum(\"sales\".\"amount\") AS \"total\" FROM \"sales\" GROUP BY \"sales\".\"region\" ORDER BY \"total\" DESC LIMIT 1000", p.CanonicalSql);
        Assert.Equal([new TableUsage("sales", "t_acme", "ds_12_v3")], p.Tables);
        Assert.Equal([new ColumnUsage("sales", "region"), new ColumnUsage("sales", "amount")], p.Columns);
        Assert.Equal([new ResultColumn("region", "text"), new ResultColumn("total", null)], p.ResultColumns);
        Assert.Equal(1000, p.EffectiveLimit);
    }

    [Fact]
    public void Ambiguous_column_names_the_candidates()
    {
        var e = Refused("SELECT amount FROM sales s JOIN returns r ON r.sale_id = s.id", SqlErrorCode.AmbiguousName);
        Assert.Equal("column \"amount\" is ambiguous: could be s.amount or r.amount", e.Message);
        Assert.Equal(1, e.Line);
        Assert.Equal(8, e.Column);
        Assert.Equal(6, e.Length);
    }

    [Fact]
    public void Unknown_column_and_table_name_what_is_available()
    {
        var c = Refused("SELECT s.amout FROM sales s", SqlErrorCode.UnknownColumn);
        Assert.Equal("column \"s.amout\" does not exist; s has: id, region, amount, sold_at, customer_id", c.Message);
        Assert.Equal(10, c.Column);
        var u = Refused("SELECT x FROM sale", SqlErrorCode.UnknownTable);
        Assert.Equal("table \"sale\" does not exist; available tables: sales, returns, customers", u.Message);
        var bare = Refused("SELECT nope FROM sales", SqlErrorCode.UnknownColumn);
        Assert.StartsWith("column \"nope\" does not exist; columns in scope: sales.id, sales.region", bare.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_the_catalog_hides_cannot_be_read_even_through_star()
    {
        Refused("SELECT ssn FROM customers", SqlErrorCode.UnknownColumn);
        var p = Ok("SELECT * FROM customers");
        Assert.Equal("SELECT \"customers\".\"id\", \"customers\".\"Name\", \"customers\".\"country\" FROM \"t_acme\".\"ds_14_v2\" AS \"customers\" LIMIT 1000", p.ExecutableSql);
        Assert.Equal(["id", "Name", "country"], p.ResultColumns.Select(r => r.Name));
    }

    [Fact]
    public void Unquoted_names_match_case_insensitively_and_quoted_names_exactly()
    {
        Assert.Contains("\"c\".\"Name\"", Ok("SELECT c.name FROM Customers c").ExecutableSql, StringComparison.Ordinal);
        Assert.Contains("\"c\".\"Name\"", Ok("SELECT c.\"Name\" FROM customers c").ExecutableSql, StringComparison.Ordinal);
        Refused("SELECT c.\"name\" FROM customers c", SqlErrorCode.UnknownColumn);
    }

    [Fact]
    public void Aliases_ctes_derived_tables_and_outer_references_resolve()
    {
        var p = Ok("""
            WITH big AS (SELECT id, amount FROM sales WHERE amount > 100)
            SELECT b.id, t.n,
                   (SELECT count(*) FROM returns r WHERE r.sale_id = b.id) AS returns_count
            FROM big b
            JOIN (SELECT customer_id, count(*) AS n FROM sales GROUP BY customer_id) t ON t.customer_id = b.id
            WHERE EXISTS (SELECT 1 FROM returns WHERE sale_id = b.id AND amount > b.amount)
            """);
        Assert.Equal(["id", "n", "returns_count"], p.ResultColumns.Select(r => r.Name));
        Assert.Contains("\"returns\".\"amount\" > \"b\".\"amount\"", p.ExecutableSql, StringComparison.Ordinal);
        Assert.Contains("WITH \"big\" AS (SELECT \"sales\".\"id\", \"sales\".\"amount\" FROM \"t_acme\".\"ds_12_v3\" AS \"sales\"", p.ExecutableSql, StringComparison.Ordinal);
        Assert.Equal(["sales", "returns"], p.Tables.Select(t => t.Name));
    }

    [Fact]
    public void Unaliased_derived_tables_get_a_name()
    {
        var p = Ok("SELECT count(*) FROM (SELECT region FROM sales GROUP BY region)");
        Assert.Contains(") AS \"subquery1\"", p.ExecutableSql, StringComparison.Ordinal);
    }

    [Fact]
    public void Using_and_natural_joins_merge_columns()
    {
        var p = Ok("SELECT * FROM sales JOIN returns USING (id)");
        Assert.Equal(["id", "region", "amount", "sold_at", "customer_id", "sale_id", "amount", "reason"], p.ResultColumns.Select(c => c.Name));
        Assert.StartsWith("SELECT \"sales\".\"id\", \"sales\".\"region\"", p.ExecutableSql, StringComparison.Ordinal);
        var full = Ok("SELECT id FROM sales FULL JOIN returns USING (id)");
        Assert.StartsWith("SELECT coalesce(\"sales\".\"id\", \"returns\".\"id\") FROM", full.ExecutableSql, StringComparison.Ordinal);
        Ok("SELECT * FROM sales NATURAL JOIN customers");
    }

    [Fact]
    public void Order_by_and_group_by_accept_output_names_and_positions()
    {
        Ok("SELECT region AS r, count(*) AS n FROM sales GROUP BY r ORDER BY n DESC, 1");
        var e = Refused("SELECT region FROM sales ORDER BY 3", SqlErrorCode.Invalid);
        Assert.Equal("ORDER BY position 3 is not in the select list", e.Message);
        Ok("SELECT region FROM sales UNION SELECT reason FROM returns ORDER BY region");
        Refused("SELECT region FROM sales UNION SELECT reason FROM returns ORDER BY upper(region)", SqlErrorCode.Invalid);
        Refused("SELECT region, amount FROM sales UNION SELECT reason FROM returns", SqlErrorCode.Invalid);
    }

    [Fact]
    public void Missing_limit_is_added_and_large_limit_is_lowered_with_a_notice()
    {
        Assert.EndsWith("LIMIT 1000", Ok("SELECT id FROM sales").ExecutableSql, StringComparison.Ordinal);
        Assert.EndsWith("LIMIT 20", Ok("SELECT id FROM sales LIMIT 20").ExecutableSql, StringComparison.Ordinal);
        var lowered = Ok("SELECT id FROM sales LIMIT 5000000");
        Assert.EndsWith("LIMIT 1000", lowered.ExecutableSql, StringComparison.Ordinal);
        Assert.Equal("LIMIT 5000000 was lowered to the cap of 1000 rows", Assert.Single(lowered.Notices));
        Assert.EndsWith("LIMIT 1000", Ok("SELECT id FROM sales LIMIT ALL").ExecutableSql, StringComparison.Ordinal);
        Assert.EndsWith("LIMIT 50", Ok("SELECT id FROM sales", DemoCatalog.Policy with { DefaultLimit = 50 }).ExecutableSql, StringComparison.Ordinal);
        Refused("SELECT id FROM sales LIMIT (SELECT 1)", SqlErrorCode.InvalidLimit);
        Refused("SELECT id FROM sales LIMIT -1", SqlErrorCode.InvalidLimit);
        Refused("SELECT id FROM sales ORDER BY id FETCH FIRST 5 ROWS WITH TIES", SqlErrorCode.InvalidLimit);
        Assert.Equal(
            "SELECT \"sales\".\"id\" FROM \"t_acme\".\"ds_12_v3\" AS \"sales\" UNION SELECT \"returns\".\"id\" FROM \"t_acme\".\"ds_13_v1\" AS \"returns\" LIMIT 1000",
            Ok("SELECT id FROM sales UNION SELECT id FROM returns").ExecutableSql);
    }

    [Fact]
    public void Functions_outside_the_allow_list_are_refused_by_name()
    {
        Assert.Equal("function pg_sleep is not allowed (system function)", Refused("SELECT pg_sleep(10)", SqlErrorCode.FunctionNotAllowed).Message);
        Assert.Equal("function generate_series is not allowed (set-returning function)", Refused("SELECT generate_series(1, 10)", SqlErrorCode.FunctionNotAllowed).Message);
        Assert.Equal("function current_setting is not allowed (configuration function)", Refused("SELECT current_setting('is_superuser')", SqlErrorCode.FunctionNotAllowed).Message);
        Refused("SELECT * FROM generate_series(1, 10)", SqlErrorCode.FunctionNotAllowed);
        Refused("SELECT pg_catalog.now()", SqlErrorCode.SchemaNotAllowed);
        Refused("SELECT current_user", SqlErrorCode.FunctionNotAllowed);
        Ok("SELECT date_trunc('month', sold_at), round(avg(amount), 2), coalesce(max(region), '-') FROM sales GROUP BY 1");
        Ok("SELECT row_number() OVER (PARTITION BY region ORDER BY amount DESC) FROM sales");
    }

    [Fact]
    public void Casts_to_types_outside_the_allow_list_are_refused()
    {
        Assert.Equal("type \"regclass\" is not allowed in casts or literals", Refused("SELECT 'pg_authid'::regclass", SqlErrorCode.TypeNotAllowed).Message);
        Ok("SELECT CAST(amount AS integer), sold_at::date, DATE '2024-01-01', INTERVAL '1 day' FROM sales");
    }

    [Fact]
    public void System_catalogs_and_other_schemas_are_refused()
    {
        Refused("SELECT * FROM pg_catalog.pg_authid", SqlErrorCode.SchemaNotAllowed);
        Refused("SELECT * FROM pg_shadow", SqlErrorCode.SchemaNotAllowed);
        Refused("SELECT * FROM information_schema.tables", SqlErrorCode.SchemaNotAllowed);
        Assert.Equal("schema \"t_other\" is not allowed: write the table's name without a schema", Refused("SELECT * FROM t_other.ds_1_v1", SqlErrorCode.SchemaNotAllowed).Message);
        Refused("SELECT * FROM t_acme.ds_12_v3", SqlErrorCode.SchemaNotAllowed);
        Refused("SELECT * FROM db.t_acme.ds_12_v3", SqlErrorCode.SchemaNotAllowed);
    }

    [Fact]
    public void Logical_schemas_in_the_catalog_can_be_written()
    {
        var catalog = new TableCatalog([new CatalogTable("orders", "t_acme", "ds_20_v1", [new CatalogColumn("id", "bigint")]) { Schema = "finance" }]);
        var p = SafeSql.Prepare("SELECT o.id FROM finance.orders o", catalog, QueryPolicy.Default);
        Assert.True(p.Succeeded, string.Join("\n", p.Errors));
        Assert.Contains("FROM \"t_acme\".\"ds_20_v1\" AS \"o\"", p.ExecutableSql, StringComparison.Ordinal);
        Assert.Contains("FROM \"finance\".\"orders\" AS \"o\"", p.CanonicalSql, StringComparison.Ordinal);
    }

    [Fact]
    public void Locking_select_into_and_recursive_queries_are_refused()
    {
        Assert.Equal("FOR UPDATE is not allowed: queries are read-only and take no row locks", Refused("SELECT id FROM sales FOR UPDATE", SqlErrorCode.StatementNotAllowed).Message);
        Refused("SELECT id FROM sales FOR SHARE OF sales SKIP LOCKED", SqlErrorCode.StatementNotAllowed);
        Assert.Equal("SELECT INTO is not allowed: it creates a table", Refused("SELECT id INTO TEMP copy FROM sales", SqlErrorCode.StatementNotAllowed).Message);
        Refused("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r", SqlErrorCode.RecursiveQuery);
    }

    [Fact]
    public void Nesting_joins_and_in_lists_are_capped()
    {
        var tight = DemoCatalog.Policy with { MaxNestingDepth = 2, MaxJoins = 2, MaxInListItems = 3 };
        Ok("SELECT id FROM sales WHERE id IN (SELECT sale_id FROM returns)", tight);
        Refused("SELECT id FROM sales WHERE id IN (SELECT sale_id FROM returns WHERE id IN (SELECT id FROM returns))", SqlErrorCode.TooComplex, tight);
        Ok("SELECT 1 FROM sales a, sales b, sales c", tight);
        Assert.Equal("the query has more than 2 joins", Refused("SELECT 1 FROM sales a, sales b, sales c JOIN returns r ON TRUE", SqlErrorCode.TooComplex, tight).Message);
        Assert.Equal("IN list has 4 values; at most 3 are allowed", Refused("SELECT 1 FROM sales WHERE id IN (1, 2, 3, 4)", SqlErrorCode.TooComplex, tight).Message);
        var longText = "SELECT 1 FROM sales WHERE " + string.Join(" OR ", Enumerable.Repeat("id = 1", 20_000));
        Refused(longText, SqlErrorCode.TooComplex);
        Refused("SELECT " + string.Join(" + ", Enumerable.Repeat("1", 400)) + " FROM sales", SqlErrorCode.TooComplex);
    }

    [Fact]
    public void Duplicate_table_names_and_misplaced_qualifiers_are_refused()
    {
        Refused("SELECT 1 FROM sales, sales", SqlErrorCode.Invalid);
        Assert.Equal("table \"sales\" is not in the FROM clause here (missing FROM-clause entry, or it has an alias)", Refused("SELECT sales.id FROM sales s", SqlErrorCode.UnknownTable).Message);
        Refused("SELECT x.* FROM sales", SqlErrorCode.UnknownTable);
    }

    [Fact]
    public void Built_trees_are_validated_like_parsed_ones()
    {
        var tree = new Query(new SelectCore([new ExpressionItem(FunctionCall.Of("pg_read_file", new StringLiteral("/etc/passwd")))]));
        var refused = SafeSql.Prepare(tree, DemoCatalog.Catalog, DemoCatalog.Policy);
        Assert.False(refused.Succeeded);
        Assert.Equal(-1, refused.Errors[0].Offset);

        var ok = SafeSql.Prepare(
            new Query(new SelectCore([new ExpressionItem(ColumnRef.Of("region"))]) { From = [new NamedTable(QualifiedName.Of("sales"))] }),
            DemoCatalog.Catalog,
            DemoCatalog.Policy);
        Assert.Equal("SELECT \"sales\".\"region\" FROM \"t_acme\".\"ds_12_v3\" AS \"sales\" LIMIT 1000", ok.ExecutableSql);
    }

    [Fact]
    public void Display_sql_validates_back_to_the_same_executable_sql()
    {
        var p = Ok("select s.region, count(*) filter (where s.amount > 10) from sales s left join returns r on r.sale_id = s.id group by 1");
        var again = Ok(p.CanonicalSql!);
        Assert.Equal(p.ExecutableSql, again.ExecutableSql);
        Assert.Equal(p.CanonicalSql, again.CanonicalSql);
    }

    [Fact]
    public void Syntax_errors_come_back_through_the_facade_with_position_and_snippet()
    {
        var p = Prepare("SELECT region,\n  sum(amount\nFROM sales");
        var e = Assert.Single(p.Errors);
        Assert.Equal(SqlErrorCode.Syntax, e.Code);
        Assert.Equal("syntax error: expected ), found \"FROM\"", e.Message);
        Assert.Equal((3, 1, 28, 4), (e.Line, e.Column, e.Offset, e.Length));
        Assert.Equal("3 | FROM sales\n  | ^^^^", e.Snippet);
        Assert.Equal("Syntax: syntax error: expected ), found \"FROM\" (line 3, column 1)\n3 | FROM sales\n  | ^^^^", e.ToString());
    }

    [Fact]
    public void Comments_in_the_input_never_reach_the_executable_sql()
    {
        var p = Ok("SELECT id /* ; DROP TABLE sales */ FROM sales -- ; DELETE FROM sales");
        Assert.DoesNotContain("DROP", p.ExecutableSql, StringComparison.Ordinal);
        Assert.DoesNotContain("--", p.ExecutableSql, StringComparison.Ordinal);
        Assert.DoesNotContain("/*", p.ExecutableSql, StringComparison.Ordinal);
    }
}
